"""Whole filings through the real dispatcher, in Kazakh and in Russian."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from aiogram_dialog.api.entities import stack
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import RECEIPT_KINDS, NoticeChannel
from casework.law.rules import DocumentKind, Filer, Ground
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps.case_file import load_application
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.texts.i18n import format_day
from casework.texts.labels import label
from tests.bot.flows import (
    JPEG,
    PDF,
    give_address,
    identify,
    register_in_mcdb,
    send_signed,
    signing_code,
    start_filing,
    t,
    upload,
)


async def _application(sessions: async_sessionmaker[AsyncSession]) -> Application:
    async with sessions() as session:
        app_id = await session.scalar(select(Application.id).order_by(Application.id.desc()))
        return await load_application(session, app_id)


async def _receipt(sessions: async_sessionmaker[AsyncSession], app_id: int) -> Notice:
    async with sessions() as s:
        stmt = select(Notice).where(
            Notice.application_id == app_id,
            Notice.kind.in_(RECEIPT_KINDS),
            Notice.channel == NoticeChannel.CHAT,
        )
        return (await s.scalars(stmt)).one()


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_low_income_filing_with_photo_and_pdf_ends_in_acceptance_receipt(
    phone, sessions, locale: str
) -> None:
    p = phone()
    await identify(p, locale)
    await start_filing(p, locale, Ground.LOW_INCOME)
    # The family and their incomes: a typed number, then the "no income" button.
    assert t(locale, "Write the full name of a family member. Start with yourself.") in p.text
    await p.send("Сейітқали Әлия")
    await p.send("85 000")
    await p.tap(t(locale, "➕ Add a family member"))
    await p.send("Сейітқали Нұрлан")
    await p.tap(t(locale, "No income"))
    assert "Сейітқали Нұрлан" in p.text
    await p.tap(t(locale, "✅ That is everyone"))
    await give_address(p, locale)
    # The checklist for low income: identity and incomes.
    assert p.buttons()[:2] == [
        f"📎 {label(DocumentKind.IDENTITY, locale)}",
        f"📎 {label(DocumentKind.INCOME, locale)}",
    ]
    await upload(p, locale, DocumentKind.IDENTITY)
    assert t(locale, "Received: {document}", document=label(DocumentKind.IDENTITY, locale)) in (
        p.said()
    )
    await upload(p, locale, DocumentKind.INCOME, pdf=True)
    assert p.buttons()[:2] == [
        f"✅ {label(DocumentKind.IDENTITY, locale)}",
        f"✅ {label(DocumentKind.INCOME, locale)}",
    ]
    await send_signed(p, locale, sessions)

    app = await _application(sessions)
    assert app.status is Status.REGISTERED
    assert app.registered_on == date(2026, 11, 16)
    assert app.deadline(Term.DECISION) == date(2026, 11, 26)  # 8 working days
    # A bot filing has no official who took the documents: the receipt names none.
    assert p.text == "\n".join(
        [
            t(locale, "✅ Application No. {number} is accepted and registered.", number=app.id),
            t(locale, "Registered on: {date}", date=format_day(date(2026, 11, 16), locale)),
            t(
                locale,
                "The result will be ready by: {date}",
                date=format_day(date(2026, 11, 26), locale),
            ),
        ]
    )
    assert ("2026 жылғы 26 қараша" if locale == "kk" else "26 ноября 2026") in p.text
    # Every answer reached the application itself.
    assert [(m.full_name, m.monthly_income) for m in app.family] == [
        ("Сейітқали Әлия", Decimal("85000.00")),
        ("Сейітқали Нұрлан", Decimal("0.00")),
    ]
    assert (app.settlement, app.address, app.phone) == ("Құлан", "Жібек жолы 12", "+77011234567")
    # Each file is on disk under its hash, with the hash on the row.
    stored = {d.kind: d for d in app.documents}
    assert stored[DocumentKind.IDENTITY].sha256 == hashlib.sha256(JPEG).hexdigest()
    assert stored[DocumentKind.INCOME].sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored[DocumentKind.INCOME].content_type == "application/pdf"
    assert Path(stored[DocumentKind.INCOME].storage_path).read_bytes() == PDF
    # The screen is the receipt the outbox keeps for the chat, word for word.
    assert p.text in (await _receipt(sessions, app.id)).text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_incomplete_set_ends_in_refusal_to_accept_naming_what_is_missing(
    phone, sessions, locale: str
) -> None:
    p = phone()
    await identify(p, locale)
    await start_filing(p, locale, Ground.DISEASE)
    await give_address(p, locale)
    await upload(p, locale, DocumentKind.IDENTITY)
    await register_in_mcdb(sessions)
    await p.tap(t(locale, "📨 Send the application"))
    # A warning first: sending now means refusal.
    assert label(DocumentKind.DISEASE_PROOF, locale) in p.text
    await p.tap(t(locale, "Send anyway"))
    await p.send(await signing_code(sessions))

    app = await _application(sessions)
    assert app.status is Status.REFUSED_TO_ACCEPT
    assert app.missing_documents == ["disease_proof"]
    assert p.text.startswith("❌")
    assert f"• {label(DocumentKind.DISEASE_PROOF, locale)}" in p.text
    assert ("қабылданбады" if locale == "kk" else "не принято") in p.text
    assert p.text in (await _receipt(sessions, app.id)).text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_language_choice_is_kept_with_the_applicant_and_changes_in_place(
    phone, sessions, locale: str
) -> None:
    other = "ru" if locale == "kk" else "kk"
    p = phone()
    await identify(p, locale)
    await p.tap(t(locale, "📝 File an application"))
    await p.tap(label(Filer.SELF, locale))
    assert p.text == t(locale, "Why do you need assistance? Choose one.")
    await p.send("/lang")
    await p.tap({"kk": "Қазақша", "ru": "Русский"}[other])
    # The same question, now in the other language; the earlier answer is still there.
    assert p.text == t(other, "Why do you need assistance? Choose one.")
    assert label(Ground.FIRE, other) in p.buttons()
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant))
        app = await session.scalar(select(Application))
    assert applicant.locale == other
    assert app.filer is not None


async def test_a_dialog_opened_in_the_same_second_keeps_the_one_below(
    phone, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # aiogram-dialog's own naming gives two dialogs opened in one second the same name one time
    # in a hundred: make it every time, and the language chooser must still return to the form.
    monkeypatch.setattr(stack, "new_int_id", lambda: 4242)
    await test_language_choice_is_kept_with_the_applicant_and_changes_in_place(
        phone, sessions, "kk"
    )
