"""Steps an applicant takes, written once and used by every conversation test."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeKind
from casework.law.rules import DocumentKind, Filer, Ground
from casework.steps.notices import TableRegistry
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from casework.texts.i18n import gettext
from casework.texts.labels import label
from tests.bot.telegram import Phone

Sessions = async_sessionmaker[AsyncSession]

VALID_IIN = "900101300811"
OWN_PHONE = "+77011234567"
LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский"}
# Real files: uploads are checked whole (a 1x1 grey JPEG; a one-page PDF).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a18161618"
    "3123251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffc000"
    "0b080001000101011100ffc40014000100000000000000000000000000000000ffc4001410010000000000000000"
    "0000000000000000ffda0008010100003f003fffd9"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)


def t(locale: str, msgid: str, **params: object) -> str:
    return gettext(locale, msgid, **params)


# The first screen's question, after its greeting.
ASK_IIN = "First, send your IIN: the 12 digits written on your identity card."
# The applicant's own name, as on the identity card: notices greet them by it.
FULL_NAME = "Сейітқалиева Әлия Нұрланқызы"


async def identify(p: Phone, locale: str, *, iin: str = VALID_IIN) -> None:
    await p.send("/start")
    await p.tap(LANGUAGE_BUTTON[locale])
    await p.send(iin)
    await p.share_contact(OWN_PHONE.lstrip("+"))
    await p.tap(t(locale, "Continue"))
    await give_name(p, locale)


async def give_name(p: Phone, locale: str, name: str = FULL_NAME) -> None:
    """The name question, answered and confirmed."""
    await p.send(name)
    await p.tap(t(locale, "✅ Yes, that is right"))


async def start_filing(p: Phone, locale: str, ground: Ground) -> None:
    """From the main menu to the question of where the applicant lives."""
    await p.tap(t(locale, "📝 File an application"))
    await p.tap(label(Filer.SELF, locale))
    await p.tap(label(ground, locale))


# A Kazakhstan IBAN with valid check digits.
IBAN = "KZ86125KZT5004100100"


async def give_address(p: Phone, locale: str) -> None:
    """The address and the bank account, then the summary confirmed."""
    await p.send("Құлан")
    await p.send("Жібек жолы 12")
    await p.send(IBAN)
    await p.tap(t(locale, "✅ Everything is correct"))


async def upload(p: Phone, locale: str, kind: DocumentKind, *, pdf: bool = False) -> None:
    await p.click(label(kind, locale))
    if pdf:
        await p.send_document(PDF, "scan.pdf", "application/pdf")
    else:
        await p.send_photo(JPEG)


async def register_in_mcdb(
    sessions: Sessions, iin: str = VALID_IIN, phone: str = OWN_PHONE
) -> None:
    """The mobile citizens database registers the phone to the IIN, as it does for most people."""
    async with sessions() as s, s.begin():
        if not await TableRegistry().is_registered(s, iin, phone):
            s.add(
                McdbEntry(
                    iin=iin,
                    phone=phone,
                    registered_on=date(2020, 1, 1),
                    imported_at=datetime.now(UTC),
                )
            )


async def signing_code(sessions: Sessions, kind: NoticeKind = NoticeKind.SIGNING_CODE) -> str:
    """The code the last signing (or linking) SMS carried."""
    async with sessions() as s:
        stmt = select(Notice).where(Notice.kind == kind).order_by(Notice.id.desc()).limit(1)
        notice = (await s.scalars(stmt)).one()
    # What the phone reads: the six digits in the SMS.
    found = re.search(r": (\d{6})\.", notice.sms_text)
    assert found is not None, notice.sms_text
    return found.group(1)


async def send_signed(p: Phone, locale: str, sessions: Sessions, *, anyway: bool = False) -> None:
    """Send the application and sign it with the code the SMS brought (SR §6)."""
    await register_in_mcdb(sessions)
    await p.tap(t(locale, "📨 Send the application"))
    if anyway:
        await p.tap(t(locale, "Send anyway"))
    assert "SMS" in p.text, p.text
    await p.send(await signing_code(sessions))
