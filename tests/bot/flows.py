"""Steps an applicant takes, written once and used by every conversation test."""

from __future__ import annotations

from casework.law.rules import DocumentKind, Filer, Ground
from casework.texts.i18n import gettext
from casework.texts.labels import label
from tests.bot.telegram import Phone

VALID_IIN = "900101300811"
OWN_PHONE = "+77011234567"
LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 2048
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def t(locale: str, msgid: str, **params: object) -> str:
    return gettext(locale, msgid, **params)


async def identify(p: Phone, locale: str, *, iin: str = VALID_IIN) -> None:
    await p.send("/start")
    await p.tap(LANGUAGE_BUTTON[locale])
    await p.send(iin)
    await p.share_contact(OWN_PHONE.lstrip("+"))
    await p.tap(t(locale, "Continue"))


async def start_filing(p: Phone, locale: str, ground: Ground) -> None:
    """From the main menu to the question of where the applicant lives."""
    await p.tap(t(locale, "📝 File an application"))
    await p.tap(label(Filer.SELF, locale))
    await p.tap(label(ground, locale))


async def give_address(p: Phone, locale: str) -> None:
    await p.send("Құлан")
    await p.send("Жібек жолы 12")
    await p.tap(t(locale, "✅ Everything is correct"))


async def upload(p: Phone, locale: str, kind: DocumentKind, *, pdf: bool = False) -> None:
    await p.click(label(kind, locale))
    if pdf:
        await p.send_document(PDF, "scan.pdf", "application/pdf")
    else:
        await p.send_photo(JPEG)
