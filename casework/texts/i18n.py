"""Every user-facing text goes through these catalogs, in the applicant's own language.

The .po files in `locales/<lang>/LC_MESSAGES/` are compiled in memory on first use, so a fresh
clone needs no build step. Dates and tenge are formatted by Babel for the same locale.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

Locale = Literal["kk", "ru"]
LOCALES: tuple[Locale, ...] = ("kk", "ru")
DEFAULT_LOCALE: Locale = "kk"
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (rules as data)."""
    return message


@cache
def translations(locale: str) -> Translations:
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    merged = Translations()
    for po in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        merged.merge(Translations(buf))
    return merged


def gettext(locale: str, message: str, **params: object) -> str:
    text = translations(locale).gettext(message)
    return text.format(**params) if params else text


def format_day(day: date | datetime, locale: str, *, tz: str = "Asia/Almaty") -> str:
    """A date as people write it: '23 наурыз 2026 ж.' / '23 марта 2026 г.'."""
    if isinstance(day, datetime):
        day = day.astimezone(ZoneInfo(tz)).date()
    if locale == "kk":
        return f"{_babel_date(day, 'd MMMM y', locale='kk')} ж."
    return _babel_date(day, "long", locale="ru")


def format_month(day: date, locale: str) -> str:
    """A month as the portal writes it: '2026 жылғы желтоқсан' / 'декабрь 2026'."""
    if locale == "kk":
        return f"{day.year} жылғы {_babel_date(day, 'MMMM', locale='kk')}"
    return _babel_date(day, "LLLL y", locale="ru")


def day_and_time(moment: datetime, tz: str | ZoneInfo) -> tuple[date, str]:
    """A moment on the district's clock: its day, and its time as 09:30 (hearings, receipts)."""
    local = moment.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    return local.date(), local.strftime("%H:%M")


def format_short_day(day: date | datetime, *, tz: str = "Asia/Almaty") -> str:
    """The SMS form, the same in both languages: 23.03.2026."""
    if isinstance(day, datetime):
        day = day.astimezone(ZoneInfo(tz)).date()
    return day.strftime("%d.%m.%Y")


def format_tenge(amount: Decimal | int | float, locale: str) -> str:
    return f"{format_decimal(amount, format='#,##0.##', locale=locale)} ₸"
