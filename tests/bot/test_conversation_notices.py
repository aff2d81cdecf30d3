"""Notices stay as sent: a button under a notice opens a new message below it and never edits the
notice; a button pressed after its moment is refused by the use case, politely."""

from __future__ import annotations

import pytest

from bot.callbacks import NoticeAction, NoticeButton
from casework.law.status import Status
from casework.steps import case_file
from dialogs.objection import NO_ATTENDANCE
from tests.bot.cases import Stage, case_at, deliver_chat, notice_with
from tests.bot.flows import t
from tests.bot.telegram import FakeTelegram, Phone
from tests.builders import local

LOCALES = ["kk", "ru"]


def edits_of(telegram: FakeTelegram, message_id: int) -> list[str]:
    """Every Bot API call that changed this message."""
    return [
        call.__api_method__
        for call in telegram.calls
        if call.__api_method__.startswith(("editMessage", "deleteMessage"))
        and getattr(call, "message_id", None) == message_id
    ]


def button(app_id: int, action: NoticeAction) -> str:
    return NoticeButton(action=action, application_id=app_id).pack()


@pytest.mark.parametrize("locale", LOCALES)
async def test_object_opens_a_new_message_and_the_notice_stays_as_sent(
    phone, bot, telegram: FakeTelegram, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.HEARING_AHEAD, p.user.id, locale)
    await deliver_chat(sessions, env, bot)  # the preliminary refusal, by the real worker
    notice = notice_with(telegram, p.chat.id, button(app_id, NoticeAction.OBJECT))
    sent = dict(notice)

    await p.press(notice, button(app_id, NoticeAction.OBJECT))
    # The notice: the same text, the same buttons, never edited or deleted.
    assert telegram.chats[p.chat.id][notice["message_id"]] == sent
    assert edits_of(telegram, notice["message_id"]) == []
    # The objection menu is a new message below it.
    screen = telegram.screen(p.chat.id)
    assert screen["message_id"] > notice["message_id"]
    heading = t(locale, "Preliminary refusal of application No. {number}. Grounds:", number=app_id)
    assert p.text.startswith(heading)
    assert t(locale, "✍️ Object in writing") in p.buttons()

    # Left and pressed again: the notice's button still works, and still edits nothing.
    await p.tap(t(locale, "🏠 Main menu"))
    await p.press(notice, button(app_id, NoticeAction.OBJECT))
    assert p.text.startswith(heading)
    assert telegram.chats[p.chat.id][notice["message_id"]] == sent
    assert edits_of(telegram, notice["message_id"]) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_i_will_attend_after_the_hearing_is_refused_and_not_recorded(
    phone, bot, telegram: FakeTelegram, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.HEARING_AHEAD, p.user.id, locale)
    await deliver_chat(sessions, env, bot)
    notice = notice_with(telegram, p.chat.id, button(app_id, NoticeAction.OBJECT))

    # Past the hearing's hour, before staff mark it held: the moment has passed.
    clock.set(local(2026, 11, 20, 11, 30))
    await p.press(notice, button(app_id, NoticeAction.ATTEND))
    assert telegram.alerts[-1] == t(locale, NO_ATTENDANCE["passed"])
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
    assert app.latest_hearing.attendance_confirmed_at is None


@pytest.mark.parametrize("locale", LOCALES)
async def test_i_will_attend_after_a_held_hearing_and_object_after_a_decision(
    phone, bot, telegram: FakeTelegram, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.HEARING_HELD, p.user.id, locale)
    await deliver_chat(sessions, env, bot)
    notice = notice_with(telegram, p.chat.id, button(app_id, NoticeAction.OBJECT))
    sent = dict(notice)

    await p.press(notice, button(app_id, NoticeAction.ATTEND))
    assert telegram.alerts[-1] == t(locale, NO_ATTENDANCE["held"])
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
    assert app.status is Status.HEARING_HELD
    assert app.latest_hearing.attendance_confirmed_at is None

    # "Object" after the hearing: the hearing's screen, with nothing left to press but the menu.
    await p.press(notice, button(app_id, NoticeAction.OBJECT))
    assert t(locale, "✍️ Object in writing") not in p.buttons()
    assert t(locale, "✅ I will attend the hearing") not in p.buttons()
    assert telegram.chats[p.chat.id][notice["message_id"]] == sent


@pytest.mark.parametrize("locale", LOCALES)
async def test_object_on_a_decided_case_shows_its_status_below(
    phone, bot, telegram: FakeTelegram, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.GRANTED, p.user.id, locale)
    await deliver_chat(sessions, env, bot)
    notice = notice_with(telegram, p.chat.id, button(app_id, NoticeAction.OBJECT))
    sent = dict(notice)

    await p.press(notice, button(app_id, NoticeAction.OBJECT))
    assert telegram.alerts[-1] == t(
        locale, "A decision has been made on your application. Its status is below."
    )
    assert p.text.startswith(t(locale, "Application No. {number}", number=app_id))
    assert telegram.chats[p.chat.id][notice["message_id"]] == sent
    assert edits_of(telegram, notice["message_id"]) == []
