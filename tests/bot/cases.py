"""A disease case filed in the bot, taken to a stage of its life on real dates (the clock starts on
Monday 16 November 2026, 10:00 in Almaty), and the chat that delivers its notices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.rules import DocumentKind, Ground, HearingMode, Periodicity, RefusalGround
from casework.steps import case_file, commission, decisions, hearings
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.notices import Notice
from gateway.providers.telegram import TelegramProvider
from gateway.worker import Worker
from tests.bot.flows import OWN_PHONE, VALID_IIN
from tests.builders import local, take_in_signed
from tests.casework.helpers import draft
from tests.fakes.clock import FixedClock

Sessions = async_sessionmaker[AsyncSession]

# The hearing the preliminary refusal sets: Friday 20 November, 11:00.
HEARING_AT = local(2026, 11, 20, 11, 0)
LINK = "https://meet.example/komek-42"
# Received on Monday 16 November: the last day to object is Wednesday 18th.
OBJECTION_DUE = date(2026, 11, 18)
DECISION_DUE = date(2026, 11, 26)  # 8 working days from registration
GROUND = RefusalGround.ALREADY_ASSIGNED


class Stage(StrEnum):
    DRAFT = "draft"
    REFUSED_TO_ACCEPT = "refused_to_accept"
    REGISTERED = "registered"
    HEARING_AHEAD = "hearing_ahead"  # preliminarily refused, the notice received, hearing ahead
    HEARING_HELD = "hearing_held"  # after an oral objection the hearing is held
    PROTOCOL_MADE = "protocol_made"
    GRANTED = "granted"  # granted after all, before the hearing
    REFUSED = "refused"  # refused once the objection window closed unused


async def _link(session: AsyncSession, app: Application, telegram_id: int, locale: str) -> None:
    applicant = await session.get(Applicant, app.applicant_id)
    assert applicant is not None
    applicant.telegram_id, applicant.locale, applicant.phone = telegram_id, locale, OWN_PHONE


async def case_at(
    sessions: Sessions,
    env: CaseEnv,
    clock: FixedClock,
    stage: Stage,
    telegram_id: int,
    locale: str,
) -> int:
    """The case, linked to the chat `telegram_id`, at `stage`; the clock where the stage leaves
    it."""
    async with sessions() as session, session.begin():
        documents = [DocumentKind.IDENTITY] if stage is Stage.REFUSED_TO_ACCEPT else None
        app = await draft(session, env, ground=Ground.DISEASE, iin=VALID_IIN, documents=documents)
        await _link(session, app, telegram_id, locale)
        if stage is Stage.DRAFT:
            return app.id
        accepted = await take_in_signed(session, env, app, actor="Омарова")
        if stage is Stage.REFUSED_TO_ACCEPT:
            assert not accepted
            return app.id
        if stage is Stage.REGISTERED:
            return app.id
        await commission.to_special_commission(session, env, app, actor="Омарова")
        await commission.record_conclusion(session, env, app, "Көмек керек.", actor="Омарова")
        await hearings.issue_preliminary_refusal(
            session,
            env,
            app,
            grounds=[GROUND],
            scheduled_at=HEARING_AT,
            mode=HearingMode.VIDEOCONFERENCE,
            details=LINK,
            actor="Бекова",
        )
        await hearings.mark_refusal_received(session, env, app, env.now())
        app_id = app.id
    if stage is Stage.HEARING_AHEAD:
        return app_id
    if stage is Stage.GRANTED:
        clock.set(local(2026, 11, 17, 10))
        await _step(sessions, app_id, _grant, env)
        return app_id
    if stage is Stage.REFUSED:
        clock.set(local(2026, 11, 19, 10))  # the window closed on the 18th, nobody objected
        await _step(sessions, app_id, _refuse, env)
        return app_id
    await _step(sessions, app_id, _object_orally, env)
    clock.set(local(2026, 11, 20, 12))
    await _step(sessions, app_id, _hold, env)
    if stage is Stage.PROTOCOL_MADE:
        clock.set(local(2026, 11, 20, 15))
        await _step(sessions, app_id, _protocol, env)
    return app_id


async def _step(sessions: Sessions, app_id: int, action: Any, env: CaseEnv) -> None:
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id, for_update=True)
        await action(session, env, app)


async def _grant(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    await decisions.grant(
        session,
        env,
        app,
        kind="disease",
        amount=Decimal("30000"),
        periodicity=Periodicity.ONE_OFF,
        actor="Бекова",
    )


async def _refuse(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    await decisions.refuse(session, env, app, grounds=[GROUND], actor="Бекова")


async def _object_orally(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    await hearings.object_to_refusal(
        session, env, app, text=None, oral=True, via="bot", actor="applicant"
    )


async def _hold(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    await hearings.hold_hearing(session, env, app, actor="Бекова")


PROTOCOL = "Өтініш беруші басқа көмек алмайтынын айтты. Анықтама ұсынады."


async def _protocol(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    await hearings.make_protocol(session, env, app, PROTOCOL, actor="Бекова")


async def deliver_chat(sessions: Sessions, env: CaseEnv, bot: Bot) -> None:
    """The delivery worker sends what is queued for the chat, as in production."""
    await Worker(sessions, env, {NoticeChannel.CHAT: TelegramProvider(bot, per_chat=0)}).drain()


def notice_with(telegram: Any, chat_id: int, callback_data: str) -> dict[str, Any]:
    """The one chat message the worker sent that carries a button with this callback data."""
    found = [
        m
        for m in telegram.chats[chat_id].values()
        if any(
            b.get("callback_data") == callback_data
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        )
    ]
    assert len(found) == 1, [m.get("text") for m in telegram.chats[chat_id].values()]
    return found[0]


async def notice_rows(sessions: Sessions, app_id: int, kind: NoticeKind) -> list[Notice]:
    async with sessions() as session:
        stmt = select(Notice).where(Notice.application_id == app_id, Notice.kind == kind)
        return list(await session.scalars(stmt.order_by(Notice.id)))
