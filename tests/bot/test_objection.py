"""Objection to a preliminary refusal from the chat notice's button: in time, and too late.

A written objection is its text plus optional documents (photos or PDFs, checked like every
upload) that end up linked to the objection.
"""

from __future__ import annotations

from datetime import date

import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.callbacks import NoticeAction, NoticeButton
from casework.law.rules import DocumentKind, Ground, HearingMode, RefusalGround
from casework.law.status import Status
from casework.steps import case_file, commission, hearings
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Document
from casework.tables.hearings import Objection
from casework.texts.i18n import format_day
from casework.texts.labels import label
from tests.bot.flows import JPEG, PDF, VALID_IIN, t
from tests.bot.telegram import FakeTelegram, Phone
from tests.builders import local, take_in_signed
from tests.casework.helpers import draft
from tests.fakes.clock import FixedClock


async def refused_case(
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    telegram_id: int,
    locale: str,
    phone: str | None = None,
) -> int:
    """A disease case filed in the bot, at the special commission, preliminarily refused."""
    async with sessions() as session, session.begin():
        app = await draft(session, env, ground=Ground.DISEASE, iin=VALID_IIN)
        applicant = await session.get(Applicant, app.applicant_id)
        applicant.telegram_id, applicant.locale, applicant.phone = telegram_id, locale, phone
        assert await take_in_signed(session, env, app, actor="clerk")
        await commission.to_special_commission(session, env, app, actor="clerk")
        await commission.record_conclusion(session, env, app, "Көмек керек.", actor="clerk")
        await hearings.issue_preliminary_refusal(
            session,
            env,
            app,
            grounds=[RefusalGround.ALREADY_ASSIGNED],
            scheduled_at=local(2026, 11, 20, 11, 0),
            mode=HearingMode.VIDEOCONFERENCE,
            details="https://meet.example/komek-42",
            actor="clerk",
        )
        return app.id


async def chat_notice(bot: Bot, telegram: FakeTelegram, chat_id: int, app_id: int) -> dict:
    """What the gateway sends: the notice text with its two buttons."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="⚖️",
                    callback_data=NoticeButton(
                        action=NoticeAction.OBJECT, application_id=app_id
                    ).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    text="✅",
                    callback_data=NoticeButton(
                        action=NoticeAction.ATTEND, application_id=app_id
                    ).pack(),
                )
            ],
        ]
    )
    message = await bot.send_message(chat_id, "Preliminary refusal", reply_markup=markup)
    return telegram.chats[chat_id][message.message_id]


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_objection_in_time_from_the_notice_button(
    phone, bot, telegram, sessions, env, locale: str
) -> None:
    p: Phone = phone()
    app_id = await refused_case(sessions, env, p.user.id, locale)
    notice = await chat_notice(bot, telegram, p.chat.id, app_id)

    await p.tap("✅", on=notice)
    confirmed = t(locale, "Thank you. Your attendance at the hearing is confirmed.")
    assert telegram.alerts[-1] == confirmed
    await p.tap("⚖️", on=notice)
    # Grounds, hearing and the last day to object (2 working days from receipt: Wed 18 Nov).
    assert label(RefusalGround.ALREADY_ASSIGNED, locale) in p.text
    assert label(HearingMode.VIDEOCONFERENCE, locale) in p.text
    assert "11:00" in p.text and "https://meet.example/komek-42" in p.text
    assert (
        t(
            locale,
            "You may object until {objection_due} inclusive.",
            objection_due=format_day(date(2026, 11, 18), locale),
        )
        in p.text
    )
    await p.tap(t(locale, "✍️ Object in writing"))
    await p.send("Менде басқа көмек тағайындалмаған.")
    # Then the documents, if any: a photo and a PDF are taken, an .exe is not.
    assert p.text == t(
        locale, "If you have documents for your objection, send photos or PDF files of them."
    )
    assert p.buttons()[0] == t(locale, "📨 Send without documents")
    await p.send_photo(JPEG)
    evidence = label(DocumentKind.OBJECTION_EVIDENCE, locale)
    assert t(locale, "Received: {document}", document=evidence) in p.said()
    await p.send_document(b"MZ\x90\x00" + b"\x00" * 64, "proof.exe", "application/x-msdownload")
    assert p.said()[-2] == t(locale, "This file type is not accepted. Send a photo or a PDF file.")
    await p.send_document(PDF, "certificate.pdf", "application/pdf")
    assert t(locale, "Documents added: {count}", count=2) in p.text
    await p.tap(t(locale, "✅ Done, send the objection"))
    assert p.text == t(locale, "Your objection is received. It will be considered at the hearing.")

    async with sessions() as session:
        objection = await session.scalar(select(Objection))
        documents = list(await session.scalars(select(Document).order_by(Document.id)))
        app = await case_file.load_application(session, app_id)
    assert (objection.text, objection.oral, objection.via) == (
        "Менде басқа көмек тағайындалмаған.",
        False,
        "bot",
    )
    evidence_docs = [d for d in documents if d.kind is DocumentKind.OBJECTION_EVIDENCE]
    assert [(d.content_type, d.file_name) for d in evidence_docs] == [
        ("image/jpeg", "objection_evidence.jpg"),
        ("application/pdf", "certificate.pdf"),
    ]
    assert objection.document_ids == [d.id for d in evidence_docs]
    assert app.status is Status.OBJECTION_RECEIVED
    assert app.latest_hearing.attendance_confirmed_at is not None

    # The status screen tells the same story.
    await p.tap(t(locale, "🏠 Main menu"))
    await p.tap(t(locale, "📄 My application"))
    assert label(Status.OBJECTION_RECEIVED, locale) in p.text
    assert t(locale, "Deadlines:") in p.text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_objection_too_late_is_refused_with_the_day_that_passed(
    phone, bot, telegram, sessions, env, clock: FixedClock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await refused_case(sessions, env, p.user.id, locale)
    notice = await chat_notice(bot, telegram, p.chat.id, app_id)
    await p.tap("⚖️", on=notice)  # read on Monday 16 November: the last day is Wednesday 18th
    in_time = p.snapshot()

    clock.set(local(2026, 11, 19, 9, 30))
    late = t(
        locale,
        "Sorry, the time to object has passed: the last day was {day}.",
        day=format_day(date(2026, 11, 18), locale),
    )
    await p.tap(t(locale, "✍️ Object in writing"), on=in_time)
    assert p.said()[-2] == late  # then the hearing screen again, without the objection buttons
    assert t(locale, "✍️ Object in writing") not in p.buttons()
    # An older screen's button reaches the use case, which refuses it itself.
    await p.tap(t(locale, "🗣 I want to be heard orally"), on=in_time)
    assert late in p.said()[-2:]
    assert ("2026 жылғы 18 қараша" if locale == "kk" else "18 ноября 2026") in late

    async with sessions() as session:
        assert await session.scalar(select(Objection)) is None
        app = await case_file.load_application(session, app_id)
    assert app.status is Status.PRELIMINARY_REFUSAL


async def test_a_notice_button_acts_only_on_the_pressing_users_own_case(
    phone, bot, telegram, sessions, env
) -> None:
    owner: Phone = phone()
    app_id = await refused_case(sessions, env, owner.user.id, "ru")
    stranger: Phone = phone(user_id=555, language_code="ru")
    notice = await chat_notice(bot, telegram, stranger.chat.id, app_id)
    await stranger.tap("⚖️", on=notice)
    await stranger.tap("✅", on=notice)
    # In the stranger's own language (their Telegram is in Russian), and nothing opens.
    assert telegram.alerts[-2:] == [t("ru", "This button is not for your application.")] * 2
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
    assert app.latest_hearing.attendance_confirmed_at is None
    assert telegram.texts(555) == ["Preliminary refusal"]  # only the notice itself


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_written_objection_without_documents(
    phone, bot, telegram, sessions, env, locale: str
) -> None:
    p: Phone = phone()
    app_id = await refused_case(sessions, env, p.user.id, locale)
    notice = await chat_notice(bot, telegram, p.chat.id, app_id)
    await p.tap("⚖️", on=notice)
    await p.tap(t(locale, "✍️ Object in writing"))
    await p.send("Табысым азайды.")
    await p.tap(t(locale, "📨 Send without documents"))
    assert p.text == t(locale, "Your objection is received. It will be considered at the hearing.")
    async with sessions() as session:
        objection = await session.scalar(select(Objection))
    assert (objection.text, objection.document_ids) == ("Табысым азайды.", [])


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_document_after_the_window_closed_is_refused(
    phone, bot, telegram, sessions, env, clock: FixedClock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await refused_case(sessions, env, p.user.id, locale)
    notice = await chat_notice(bot, telegram, p.chat.id, app_id)
    await p.tap("⚖️", on=notice)  # received Monday: the last day is Wednesday 18 November
    await p.tap(t(locale, "✍️ Object in writing"))
    await p.send("Табысым азайды.")

    clock.set(local(2026, 11, 19, 9, 30))  # …and the scan comes on Thursday
    await p.send_photo(JPEG)
    late = t(
        locale,
        "Sorry, the time to object has passed: the last day was {day}.",
        day=format_day(date(2026, 11, 18), locale),
    )
    assert late in p.said()
    async with sessions() as session:
        assert await session.scalar(select(Objection)) is None
        kinds = set(await session.scalars(select(Document.kind)))
        app = await case_file.load_application(session, app_id)
    assert DocumentKind.OBJECTION_EVIDENCE not in kinds
    assert app.status is Status.PRELIMINARY_REFUSAL
