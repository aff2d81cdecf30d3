""" "Your protocol is ready": made by staff, sent through the outbox with the protocol's text and
the remarks deadline (SR §15), and remarks given in the chat from the message's button."""

from __future__ import annotations

from datetime import date

import pytest

from bot.callbacks import NoticeAction, NoticeButton
from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.status import Status
from casework.steps import case_file
from casework.texts.i18n import format_day
from casework.texts.words import SMS_LIMIT, sms_units
from tests.bot.cases import PROTOCOL, Stage, case_at, deliver_chat, notice_rows, notice_with
from tests.bot.flows import register_in_mcdb, t
from tests.bot.telegram import FakeTelegram, Phone
from tests.builders import local

LOCALES = ["kk", "ru"]
# Made on Friday 20 November: read the same day, remarks until Wednesday 25th (3 working days).
REMARKS_DUE = date(2026, 11, 25)


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_protocol_message_leads_to_remarks_in_the_chat(
    phone, bot, telegram: FakeTelegram, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await register_in_mcdb(sessions)  # so it goes by SMS as well
    app_id = await case_at(sessions, env, clock, Stage.PROTOCOL_MADE, p.user.id, locale)
    rows = await notice_rows(sessions, app_id, NoticeKind.PROTOCOL_READY)
    assert {n.channel for n in rows} == {NoticeChannel.SMS, NoticeChannel.CHAT}
    [sms] = [n for n in rows if n.channel is NoticeChannel.SMS]
    assert f"{app_id}" in sms.sms_text and sms_units(sms.sms_text) <= SMS_LIMIT

    await deliver_chat(sessions, env, bot)
    read = NoticeButton(action=NoticeAction.PROTOCOL, application_id=app_id).pack()
    message = notice_with(telegram, p.chat.id, read)
    sent = dict(message)
    text = message["text"]
    ready = "The protocol of the hearing on your application No. {number} is ready."
    assert t(locale, ready, number=app_id) in text
    assert PROTOCOL in text
    assert format_day(REMARKS_DUE, locale) in text
    assert "Сейітқали Әлия" in text  # greeted by the name given, as every notice

    # Its button opens the protocol below the message; reading it starts the 3 working days.
    clock.set(local(2026, 11, 20, 16))
    await p.press(message, read)
    assert telegram.chats[p.chat.id][message["message_id"]] == sent
    assert p.text.startswith(t(locale, "Hearing protocol:"))
    assert PROTOCOL in p.text
    due = format_day(REMARKS_DUE, locale)
    assert t(locale, "You may send remarks until {remarks_due} inclusive.", remarks_due=due) in (
        p.text
    )
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
    assert app.latest_hearing.protocol.read_at is not None

    # The status screen names the same last day, and leads back to the protocol.
    await p.tap(t(locale, "🏠 Main menu"))
    await p.tap(t(locale, "📄 My application"))
    assert t(locale, "✍️ You may send remarks on the protocol until: {day}", day=due) in p.text
    await p.tap(t(locale, "⚖️ Objection and hearing"))
    await p.tap(t(locale, "📄 Read the protocol"))
    await p.tap(t(locale, "✍️ Send remarks"))
    await p.send("Хаттамада менің анықтамам туралы айтылмаған.")
    assert p.text == t(locale, "Your remarks on the protocol are received.")
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
    assert app.status is Status.REMARKS_RECEIVED
    assert [r.text for r in app.latest_hearing.protocol.remarks] == [
        "Хаттамада менің анықтамам туралы айтылмаған."
    ]


@pytest.mark.parametrize("locale", LOCALES)
async def test_after_the_remarks_window_the_protocol_is_shown_without_the_remarks_button(
    phone, bot, telegram: FakeTelegram, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.PROTOCOL_MADE, p.user.id, locale)
    await deliver_chat(sessions, env, bot)
    read = NoticeButton(action=NoticeAction.PROTOCOL, application_id=app_id).pack()
    message = notice_with(telegram, p.chat.id, read)
    await p.press(message, read)  # read on Friday 20th: remarks until Wednesday 25th

    clock.set(local(2026, 11, 26, 10))
    # The screen from Friday still shows the button: the use case refuses, with the last day.
    await p.tap(t(locale, "✍️ Send remarks"))
    await p.send("Кеш ескерту.")
    late = t(
        locale,
        "Sorry, the time for remarks has passed: the last day was {day}.",
        day=format_day(REMARKS_DUE, locale),
    )
    assert late in p.said()
    # The protocol again, now without the button.
    assert PROTOCOL in p.text
    assert t(locale, "✍️ Send remarks") not in p.buttons()
    await p.press(message, read)
    assert PROTOCOL in p.text and t(locale, "✍️ Send remarks") not in p.buttons()
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
    assert app.status is Status.PROTOCOL_MADE and not app.latest_hearing.protocol.remarks
