"""Every user-facing text goes through these catalogs, in the applicant's own language.

The .po files in `locales/<lang>/LC_MESSAGES/` are compiled in memory on first use, so a fresh
clone needs no build step. Tenge and Russian dates are formatted by Babel; Kazakh dates by the
portal's rule below (Babel writes them in the Russian order).
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


# Kazakh month names (the portal writes them lower-case inside a date).
KK_MONTHS = (
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
)

# The case a Kazakh date takes before the word after it: "2026 жылғы 31 желтоқсан" (a label's
# value), "…желтоқсанға дейін" (dative), "…желтоқсанда" (locative, "on"), "…желтоқсаннан бастап"
# (ablative). Russian dates keep one form: "до/с 31 декабря 2026 г." need no change.
DayCase = Literal["nominative", "dative", "locative", "ablative"]

# Kazakh case endings: the word's last vowel picks the back or front form (vowel harmony), its
# last sound the consonant the ending starts with. Rules as data; `kk_case` applies them.
_BACK_VOWELS = frozenset("аоұыя")
_FRONT_VOWELS = frozenset("әеөүіэ")
_SOUNDS: dict[str, frozenset[str]] = {
    "vowel": frozenset("аәеёиоөұүыіэюя"),
    "nasal": frozenset("мнң"),
    "sonorant": frozenset("лрйу"),
    "voiced": frozenset("зж"),
    # б в г д ғ devoice at the end of a word ("клубқа"), so they take the voiceless endings.
    "voiceless": frozenset("бвгдғкқпстфхһцчшщ"),
}
_ENDINGS: dict[DayCase, dict[str, tuple[str, str]]] = {
    # (after a back vowel, after a front vowel)
    "dative": {
        "vowel": ("ға", "ге"),
        "nasal": ("ға", "ге"),
        "sonorant": ("ға", "ге"),
        "voiced": ("ға", "ге"),
        "voiceless": ("қа", "ке"),
    },
    "locative": {
        "vowel": ("да", "де"),
        "nasal": ("да", "де"),
        "sonorant": ("да", "де"),
        "voiced": ("да", "де"),
        "voiceless": ("та", "те"),
    },
    "ablative": {
        "vowel": ("дан", "ден"),
        "nasal": ("нан", "нен"),
        "sonorant": ("дан", "ден"),
        "voiced": ("дан", "ден"),
        "voiceless": ("тан", "тен"),
    },
}


def kk_case(word: str, case: DayCase) -> str:
    """A Kazakh word in the given case: `kk_case("желтоқсан", "dative")` is "желтоқсанға"."""
    if case == "nominative":
        return word
    lower = word.lower()
    last_vowel = next((c for c in reversed(lower) if c in _BACK_VOWELS | _FRONT_VOWELS), None)
    sound = next((name for name, letters in _SOUNDS.items() if lower[-1:] in letters), None)
    if last_vowel is None or sound is None:
        raise ValueError(f"not a Kazakh word: {word!r}")
    return word + _ENDINGS[case][sound][last_vowel in _FRONT_VOWELS]


def format_day(
    day: date | datetime, locale: str, *, case: DayCase = "nominative", tz: str = "Asia/Almaty"
) -> str:
    """A date as the national portal writes it: '2026 жылғы 31 желтоқсан' / '31 декабря 2026 г.'.

    In Kazakh the word after a date decides its case: `case="dative"` before дейін,
    `"ablative"` before бастап, `"locative"` for "on that day". Russian ignores `case`.
    """
    if isinstance(day, datetime):
        day = day.astimezone(ZoneInfo(tz)).date()
    if locale == "kk":
        return f"{day.year} жылғы {day.day} {kk_case(KK_MONTHS[day.month - 1], case)}"
    return _babel_date(day, "long", locale="ru")


def format_month(day: date, locale: str) -> str:
    """A month as the portal writes it: '2026 жылғы желтоқсан' / 'декабрь 2026'."""
    if locale == "kk":
        return f"{day.year} жылғы {KK_MONTHS[day.month - 1]}"
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
