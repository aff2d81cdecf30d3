"""Notices into the outbox: the channels the law gives each one, and the rows the worker sends.

`enqueue` picks the channels as the law says (SR §15, DR §21) and writes the notice, rendered in
the applicant's language, into the outbox: one row per channel, so an SMS and a chat message of
the same notice each keep their own status. The delivery worker in gateway/ sends it after the
transaction commits: a case change and its notice land together or not at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.deliver_by import Since, deliver_by, needs
from casework.law.notices import (
    OPTIONAL_KINDS,
    RECEIPT_KINDS,
    SMS_ONLY_KINDS,
    ChannelReason,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
)
from casework.law.rules import Channel
from casework.law.terms import Term
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.hearings import Hearing
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from casework.texts.i18n import DEFAULT_LOCALE, LOCALES
from casework.texts.notices import Rendered, facts_for, render


class PhoneRegistry(Protocol):
    """The mobile citizens database: is this phone verified for this IIN, and which is it?"""

    async def is_registered(self, session: AsyncSession, iin: str, phone: str) -> bool: ...

    async def phone_of(self, session: AsyncSession, iin: str) -> str | None: ...


class TableRegistry:
    """The default backend: the `mcdb_entries` table, filled by `komek mcdb import`."""

    async def is_registered(self, session: AsyncSession, iin: str, phone: str) -> bool:
        stmt = select(McdbEntry.id).where(McdbEntry.iin == iin, McdbEntry.phone == phone).limit(1)
        return (await session.scalar(stmt)) is not None

    async def phone_of(self, session: AsyncSession, iin: str) -> str | None:
        """The phone registered most recently to the IIN."""
        stmt = (
            select(McdbEntry.phone)
            .where(McdbEntry.iin == iin)
            .order_by(McdbEntry.registered_on.desc(), McdbEntry.id.desc())
            .limit(1)
        )
        return await session.scalar(stmt)


_registry: PhoneRegistry = TableRegistry()


def use_registry(registry: PhoneRegistry) -> None:
    """Set at start-up (gateway.mcdb) when a real registry service is configured."""
    global _registry
    _registry = registry


@dataclass(frozen=True)
class Route:
    """One way a notice goes, and why (kept on its outbox row for staff to see)."""

    channel: NoticeChannel
    reason: ChannelReason
    address: str | None
    # Already in front of the applicant (the receipt screen in the bot): recorded as delivered.
    shown: bool = False


async def choose_routes(
    session: AsyncSession, application: Application, applicant: Applicant, kind: NoticeKind
) -> list[Route]:
    """Every channel the law gives this notice (SR §15, DR §21), asking the registry."""
    phone = notice_phone(application, applicant)
    sms = phone is not None and await _registry.is_registered(session, applicant.iin, phone)
    return routes_for(application, applicant, kind, sms_registered=sms)


async def registered_pairs(
    session: AsyncSession, pairs: Collection[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (IIN, phone) pairs the registry confirms: one query for a broadcast's thousands
    when the registry is the table, one question each otherwise."""
    if isinstance(_registry, TableRegistry):
        found: set[tuple[str, str]] = set()
        iins = sorted({iin for iin, _ in pairs})
        for start in range(0, len(iins), 500):  # bounded IN lists
            stmt = select(McdbEntry.iin, McdbEntry.phone).where(
                McdbEntry.iin.in_(iins[start : start + 500])
            )
            found.update((iin, phone) for iin, phone in await session.execute(stmt))
        return found & set(pairs)
    return {(i, p) for i, p in pairs if await _registry.is_registered(session, i, p)}


def notice_phone(application: Application, applicant: Applicant) -> str | None:
    return application.phone or applicant.phone or None


def routes_for(
    application: Application, applicant: Applicant, kind: NoticeKind, *, sms_registered: bool
) -> list[Route]:
    """Every channel the law gives this notice (SR §15, DR §21), once the registry answered.

    SMS when the application's phone is registered to the applicant's IIN in the MCDB; the chat
    as well when the application came through the bot; and print whenever no SMS can be sent
    (SR §15: "printed and handed over when the applicant comes"), the chat being in addition. A
    bot filing's receipt is its status in the cabinet (SR §6): there is nothing to hand over.
    """
    routes: list[Route] = []
    phone = notice_phone(application, applicant)
    sms = phone is not None and sms_registered
    if sms:
        routes.append(Route(NoticeChannel.SMS, ChannelReason.MCDB_REGISTERED, phone))
    chat = application.channel is Channel.BOT and applicant.telegram_id is not None
    if chat:
        chat_id = str(applicant.telegram_id)
        if kind in RECEIPT_KINDS:
            # The bot showed this receipt the moment the applicant filed: no second message.
            routes.append(Route(NoticeChannel.CHAT, ChannelReason.SHOWN_WHEN_FILED, chat_id, True))
        else:
            routes.append(Route(NoticeChannel.CHAT, ChannelReason.FILED_IN_BOT, chat_id))
    if not sms and not (chat and kind in RECEIPT_KINDS):
        routes.append(Route(NoticeChannel.PRINT, ChannelReason.NO_REGISTERED_PHONE, None))
    return routes


def objection_due(env: CaseEnv, application: Application, received_on: date) -> date:
    """The last day to object to a preliminary refusal received on `received_on`: 2 working
    days (APPC art. 73(3)). Once the case has recorded a receipt, the first one counts."""
    hearing = application.latest_hearing
    recorded = application.deadline(Term.OBJECTION) if hearing and hearing.received_at else None
    return recorded or env.calendar.add_working_days(received_on, 2)


def render_notice(
    env: CaseEnv,
    application: Application,
    applicant: Applicant,
    kind: NoticeKind,
    payload: dict[str, Any],
    locale: str,
    *,
    handed_over_on: date | None = None,
) -> Rendered:
    """A notice's words as of now: the outbox stores them, and the bot shows a receipt's own.

    `handed_over_on`: the day a printed notice is handed over, which is when it is received.
    """
    facts = facts_for(
        application,
        env.district,
        payload,
        objection_due=objection_due(env, application, handed_over_on or env.today()),
        handed_over_on=handed_over_on,
        name=applicant.full_name if applicant.name_given_at else "",  # never a profile's name
        today=env.today(),
    )
    return render(kind, facts, locale)


async def enqueue(
    session: AsyncSession,
    env: CaseEnv,
    application: Application,
    kind: NoticeKind,
    payload: dict[str, Any],
    *,
    broadcast_id: int | None = None,
    routes: list[Route] | None = None,
    add: bool = True,
) -> list[Notice]:
    """Write one outbox row per channel inside the caller's transaction; returns the rows.
    `routes` replaces the law's channels (an answer goes back the way its question came).
    `add=False` only makes the rows: a broadcast writes thousands in one statement.

    An optional message (a reminder) goes by the notice's own electronic channels or not at all:
    never after the applicant's СТОП, never to the print queue; the worker sends it only in
    working hours on the day it was written (`delivery.claimable`).
    """
    applicant = await session.get(Applicant, application.applicant_id)
    assert applicant is not None
    optional = kind in OPTIONAL_KINDS
    if optional and applicant.sms_opt_out_at is not None:
        return []
    if routes is None and kind in SMS_ONLY_KINDS:
        routes = [Route(NoticeChannel.SMS, ChannelReason.MCDB_REGISTERED, payload["phone"])]
    elif routes is None:
        routes = await choose_routes(session, application, applicant, kind)
    if optional:
        routes = [r for r in routes if r.channel is not NoticeChannel.PRINT]
    if not routes:
        return []
    locale = applicant.locale if applicant.locale in LOCALES else DEFAULT_LOCALE
    rendered = render_notice(env, application, applicant, kind, payload, locale)
    now = env.now()
    rows = []
    for route in routes:
        if route.shown:
            status = NoticeStatus.DELIVERED
        elif route.channel is NoticeChannel.PRINT:
            status = NoticeStatus.TO_PRINT
        else:
            status = NoticeStatus.QUEUED
        notice = Notice(
            application_id=application.id,
            applicant_id=applicant.id,
            broadcast_id=broadcast_id,
            kind=kind,
            locale=locale,
            payload=dict(payload),
            channel=route.channel,
            channel_reason=route.reason,
            address=route.address,
            title=rendered.title,
            text=rendered.text,
            sms_text=rendered.sms_text,
            status=status,
            due_at=now,
            deliver_by=notice_deliver_by(
                env, application, kind, route.channel, payload, written_at=now
            ),
            attempts=0,
            created_at=now,
            updated_at=now,
            sent_at=now if route.shown else None,
            delivered_at=now if route.shown else None,
        )
        rows.append(notice)
    if add:
        session.add_all(rows)
        await session.flush()
    return rows


def notice_deliver_by(
    env: CaseEnv,
    application: Application,
    kind: NoticeKind,
    channel: NoticeChannel,
    payload: dict[str, Any],
    *,
    written_at: datetime,
) -> datetime | None:
    """The notice's legal term (law/deliver_by.py) from the case's facts; only the facts the
    kind's term counts from are read, so a caller needs only those relationships loaded."""
    wanted = needs(kind)
    hearing = _hearing_of(application, payload) if Since.HEARING in wanted else None
    decision = application.latest_decision if Since.DECIDED in wanted else None
    return deliver_by(
        kind,
        channel,
        env.calendar,
        written_at=written_at,
        decided_at=decision.decided_at if decision else None,
        decision_due=(
            application.deadline(Term.DECISION) if Since.DECISION_DUE in wanted else None
        ),
        hearing_at=hearing.scheduled_at if hearing else None,
    )


def _hearing_of(application: Application, payload: dict[str, Any]) -> Hearing | None:
    """The hearing a notice speaks of: the one its payload names, else the case's latest."""
    wanted = payload.get("hearing_id")
    named = next((h for h in application.hearings if h.id == wanted), None)
    return named or application.latest_hearing


async def phone_registered(session: AsyncSession, iin: str, phone: str) -> bool:
    """Is this phone verified for this IIN in the mobile citizens database (SR §15)?

    The same registry that picks the notice channel answers, so what the bot promises is what
    the outbox does.
    """
    return await _registry.is_registered(session, iin, phone)


async def registered_phone(session: AsyncSession, iin: str) -> str | None:
    """The phone the mobile citizens database registers to this IIN, if any."""
    return await _registry.phone_of(session, iin)


# Notices that have left the outbox: with a provider, delivered, or handed over.
_GONE_OUT = (NoticeStatus.SENT, NoticeStatus.DELIVERED, NoticeStatus.HANDED_OVER)


# Built once: the case page and the bot's status screen ask on every view.
_SENT = (
    select(Notice)
    .where(
        Notice.application_id == bindparam("application_id"),
        Notice.status.in_(_GONE_OUT),
        Notice.kind.not_in(SMS_ONLY_KINDS | OPTIONAL_KINDS),
    )
    .order_by(Notice.id)
)


async def sent_notices(session: AsyncSession, application_id: int) -> list[Notice]:
    """The notices of a case that have left the outbox, oldest first (one-time codes and
    reminders are not notices of the case)."""
    return list(await session.scalars(_SENT, {"application_id": application_id}))
