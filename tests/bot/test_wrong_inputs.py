"""Wrong inputs get a clear message in the applicant's language and lose nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from casework.law.rules import DocumentKind, Ground
from casework.tables.applicants import Applicant
from casework.tables.applications import Application, Document
from casework.texts.labels import label
from tests.bot.flows import (
    LANGUAGE_BUTTON,
    OWN_PHONE,
    PDF,
    VALID_IIN,
    give_address,
    give_name,
    start_filing,
    t,
)


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_wrong_inputs_are_explained_and_nothing_saved_is_lost(
    phone, sessions, locale: str
) -> None:
    p = phone()
    await p.send("/start")
    await p.tap(LANGUAGE_BUTTON[locale])

    # The IIN: each kind of mistake has its own explanation.
    for wrong, msgid in [
        ("12345", "The IIN has 12 digits. Please check and send it again."),
        (
            "901301300811",
            "The first 6 digits of the IIN are a birth date, and this date does "
            "not exist. Please check it.",
        ),
        ("900101300812", "This IIN has a mistake: the last digit does not match. Please check it."),
    ]:
        await p.send(wrong)
        assert p.said()[-2] == t(locale, msgid)  # the explanation, then the question again
        assert p.text == t(locale, "Send your IIN: 12 digits.")
    await p.send(VALID_IIN)

    # The phone: typing it, or sharing somebody else's contact, is not accepted.
    await p.send(OWN_PHONE)
    assert t(locale, "Please press the button «Share my phone number» below.") in p.said()
    await p.share_contact("+77017654321", user_id=999)
    assert t(locale, "Please share your own number: press the button below.") in p.said()
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant))
    assert applicant.iin == VALID_IIN and applicant.phone is None
    await p.share_contact(OWN_PHONE)
    await p.tap(t(locale, "Continue"))
    await give_name(p, locale)

    # Income: words where a number is expected.
    await start_filing(p, locale, Ground.LOW_INCOME)
    await p.send("Сейітқали Әлия")
    await p.send("сексен мың")
    assert t(locale, "Please write the income as a number of tenge, for example 85000.") in (
        p.said()
    )
    assert "Сейітқали Әлия" in p.text  # still asking this member's income
    await p.send("85000")
    await p.tap(t(locale, "✅ That is everyone"))
    await give_address(p, locale)

    # Documents: a program, a 25 MB scan, and a program dressed up as a PDF.
    await p.click(label(DocumentKind.IDENTITY, locale))
    wrong_type = t(locale, "This file type is not accepted. Send a photo or a PDF file.")
    too_big = t(locale, "The file is larger than 20 MB. Send a smaller photo or PDF.")
    await p.send_document(b"MZ\x90\x00" + b"\x00" * 512, "setup.exe", "application/x-msdownload")
    assert p.said()[-2] == wrong_type
    await p.send_document(PDF, "passport.pdf", "application/pdf", size=25 * 1024 * 1024)
    assert p.said()[-2] == too_big
    await p.send_document(b"MZ\x90\x00" + b"\x00" * 512, "passport.pdf", "application/pdf")
    assert p.said()[-2] == wrong_type
    await p.send("here it is")
    assert p.said()[-2] == t(locale, "Please send a photo or a PDF file of the document.")
    # Still on the same document's upload screen.
    assert p.text == t(
        locale,
        "Send a photo or a PDF file: {document}",
        document=label(DocumentKind.IDENTITY, locale),
    )

    async with sessions() as session:
        app = await session.scalar(select(Application))
        members = await session.scalar(select(func.count()).select_from(Document))
        assert members == 0  # nothing wrong was stored
        await session.refresh(app, ["family"])
    assert [(m.full_name, m.monthly_income) for m in app.family] == [
        ("Сейітқали Әлия", Decimal("85000.00"))
    ]
    assert (app.ground, app.settlement) == (Ground.LOW_INCOME, "Құлан")
    assert app.address == "Жібек жолы 12"
    assert app.draft["confirmed"] is True
