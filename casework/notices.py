"""Notice kinds and the outbox hook the use cases call inside their transaction.

`enqueue` picks the channels as the law says (SR §15, DR §21) and writes the notice, rendered in
the applicant's language, into the outbox (casework.outbox): one row per channel, so an SMS and a
chat message of the same notice each keep their own status. The delivery worker in gateway/ sends
it after the transaction commits: a case change and its notice land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from casework.cases import CaseEnv
    from casework.models import Applicant, Application
    from casework.outbox import ChannelReason, Notice, NoticeChannel


class NoticeKind(StrEnum):
    ACCEPTANCE_RECEIPT = "acceptance_receipt"
    REFUSAL_TO_ACCEPT = "refusal_to_accept"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    HEARING_INVITATION = "hearing_invitation"
    DECISION_GRANTED = "decision_granted"
    DECISION_REFUSED = "decision_refused"
    TERMINATION = "termination"
    HOLIDAY_ASSISTANCE = "holiday_assistance"


# Delivering these moves the case: the objection window starts at receipt of the preliminary
# refusal, and a decision is "notified" once its notice reached the applicant.
REFUSAL_RECEIPT_KINDS = frozenset({NoticeKind.PRELIMINARY_REFUSAL})
DECISION_KINDS = frozenset({NoticeKind.DECISION_GRANTED, NoticeKind.DECISION_REFUSED})
# Receipts the bot shows on its own screen at filing time (dialogs/documents.py).
RECEIPT_KINDS = frozenset({NoticeKind.ACCEPTANCE_RECEIPT, NoticeKind.REFUSAL_TO_ACCEPT})


class PhoneRegistry(Protocol):
    """The mobile citizens database: is this phone verified for this IIN?"""

    async def is_registered(self, session: AsyncSession, iin: str, phone: str) -> bool: ...


class TableRegistry:
    """The default backend: the `mcdb_entries` table, filled by `komek mcdb import`."""

    async def is_registered(self, session: AsyncSession, iin: str, phone: str) -> bool:
        from sqlalchemy import select

        from casework.outbox import McdbEntry

        stmt = select(McdbEntry.id).where(McdbEntry.iin == iin, McdbEntry.phone == phone).limit(1)
        return (await session.scalar(stmt)) is not None


_registry: PhoneRegistry = TableRegistry()


def use_registry(registry: PhoneRegistry) -> None:
    """Set at start-up (gateway.mcdb) when a real registry service is configured."""
    global _registry
    _registry = registry


def registry() -> PhoneRegistry:
    return _registry


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
    """Every channel the law gives this notice; the two rules are independent (SR §15, DR §21).

    SMS when the application's phone is registered to the applicant's IIN in the MCDB, AND the
    chat when the application came through the bot; print only when neither applies.
    """
    from casework.outbox import ChannelReason, NoticeChannel
    from casework.rules import Channel

    routes: list[Route] = []
    phone = application.phone or applicant.phone
    if phone and await _registry.is_registered(session, applicant.iin, phone):
        routes.append(Route(NoticeChannel.SMS, ChannelReason.MCDB_REGISTERED, phone))
    if application.channel is Channel.BOT and applicant.telegram_id is not None:
        chat = str(applicant.telegram_id)
        if kind in RECEIPT_KINDS:
            # The bot showed this receipt the moment the applicant filed: no second message.
            routes.append(Route(NoticeChannel.CHAT, ChannelReason.SHOWN_WHEN_FILED, chat, True))
        else:
            routes.append(Route(NoticeChannel.CHAT, ChannelReason.FILED_IN_BOT, chat))
    if not routes:
        routes.append(Route(NoticeChannel.PRINT, ChannelReason.NO_REGISTERED_PHONE, None))
    return routes


async def enqueue(
    session: AsyncSession,
    env: CaseEnv,
    application: Application,
    kind: NoticeKind,
    payload: dict[str, Any],
    *,
    broadcast_id: int | None = None,
) -> list[Notice]:
    """Write one outbox row per channel inside the caller's transaction; returns the rows."""
    from casework.models import Applicant
    from casework.notice_texts import facts_for, render
    from casework.outbox import Notice, NoticeChannel, NoticeStatus

    applicant = await session.get(Applicant, application.applicant_id)
    assert applicant is not None
    routes = await choose_routes(session, application, applicant, kind)
    locale = applicant.locale if applicant.locale in ("kk", "ru") else "kk"
    facts = facts_for(
        application,
        env.district,
        payload,
        objection_due_if_today=env.calendar.add_working_days(env.today(), 2),
        name=applicant.full_name,
        today=env.today(),
    )
    rendered = render(kind, facts, locale)
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
            attempts=0,
            created_at=now,
            updated_at=now,
            sent_at=now if route.shown else None,
            delivered_at=now if route.shown else None,
        )
        session.add(notice)
        rows.append(notice)
    await session.flush()
    return rows
