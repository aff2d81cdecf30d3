"""The status screen: where the case is, what comes next, the deadlines, the notices sent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from casework.law.notices import NoticeStatus
from casework.law.status import Status
from casework.tables.notices import Notice
from casework.texts.i18n import format_day
from casework.texts.labels import label
from tests.bot.flows import t
from tests.bot.test_objection import refused_case


async def test_status_lists_state_next_step_deadlines_and_sent_notices(
    phone, sessions, env
) -> None:
    p = phone()
    app_id = await refused_case(sessions, env, p.user.id, "ru", phone="+77011234567")
    async with sessions() as session, session.begin():
        notices = list(await session.scalars(select(Notice).order_by(Notice.id)))
        # The acceptance receipt, then the preliminary refusal in the chat and on paper (the
        # phone is not in the mobile citizens database).
        assert len(notices) == 3
        notices[0].status, notices[0].sent_at = NoticeStatus.DELIVERED, env.now()
        first_title = notices[0].title
        second_title = notices[1].title

    await p.send("/start")
    await p.tap(t("ru", "📄 My application"))
    screen = p.text
    assert screen.startswith(t("ru", "Application No. {number}", number=app_id))
    assert label(Status.PRELIMINARY_REFUSAL, "ru") in screen
    assert t("ru", "You may object or ask to be heard before the decision.") in screen
    decision_by = t(
        "ru", "⏳ The decision is made by: {day}", day=format_day(date(2026, 11, 26), "ru")
    )
    assert decision_by in screen
    assert f"• {first_title}" in screen  # delivered: listed
    assert second_title not in screen.split(t("ru", "Notices sent:"))[1]  # still queued
    assert t("ru", "⚖️ Objection and hearing") in p.buttons()
