"""Dates as the national portal writes them, and in Kazakh with the case the next word needs.

The expected forms are written out by hand (vowel harmony and the month's last sound), not
computed: a wrong rule in the formatter cannot make its own test pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from casework.texts.i18n import DayCase, format_day, format_month, kk_case

# Month → (nominative, dative: "… дейін", locative: "on …", ablative: "… бастап").
KAZAKH = {
    1: ("қаңтар", "қаңтарға", "қаңтарда", "қаңтардан"),
    2: ("ақпан", "ақпанға", "ақпанда", "ақпаннан"),
    3: ("наурыз", "наурызға", "наурызда", "наурыздан"),
    4: ("сәуір", "сәуірге", "сәуірде", "сәуірден"),
    5: ("мамыр", "мамырға", "мамырда", "мамырдан"),
    6: ("маусым", "маусымға", "маусымда", "маусымнан"),
    7: ("шілде", "шілдеге", "шілдеде", "шілдеден"),
    8: ("тамыз", "тамызға", "тамызда", "тамыздан"),
    9: ("қыркүйек", "қыркүйекке", "қыркүйекте", "қыркүйектен"),
    10: ("қазан", "қазанға", "қазанда", "қазаннан"),
    11: ("қараша", "қарашаға", "қарашада", "қарашадан"),
    12: ("желтоқсан", "желтоқсанға", "желтоқсанда", "желтоқсаннан"),
}
CASES: tuple[DayCase, ...] = ("nominative", "dative", "locative", "ablative")
RUSSIAN = {
    1: "января",
    2: "февраля",
    3: "марта",
    4: "апреля",
    5: "мая",
    6: "июня",
    7: "июля",
    8: "августа",
    9: "сентября",
    10: "октября",
    11: "ноября",
    12: "декабря",
}


@pytest.mark.parametrize("month", list(KAZAKH))
@pytest.mark.parametrize("case", CASES)
def test_a_kazakh_date_in_every_month_and_case(month: int, case: DayCase) -> None:
    expected = KAZAKH[month][CASES.index(case)]
    assert format_day(date(2026, month, 15), "kk", case=case) == f"2026 жылғы 15 {expected}"


# Beyond the months: every kind of last sound, back and front vowels (dative, locative, ablative).
WORDS = {
    "жыл": ("жылға", "жылда", "жылдан"),
    "үй": ("үйге", "үйде", "үйден"),
    "тау": ("тауға", "тауда", "таудан"),
    "Алматы": ("Алматыға", "Алматыда", "Алматыдан"),
    "Тараз": ("Таразға", "Таразда", "Тараздан"),
    "Құлан": ("Құланға", "Құланда", "Құланнан"),
    "күн": ("күнге", "күнде", "күннен"),
    "кітап": ("кітапқа", "кітапта", "кітаптан"),
    "мектеп": ("мектепке", "мектепте", "мектептен"),
}


@pytest.mark.parametrize("word", list(WORDS))
def test_the_case_endings_follow_vowel_harmony_and_the_last_sound(word: str) -> None:
    forms = tuple(kk_case(word, case) for case in ("dative", "locative", "ablative"))
    assert forms == WORDS[word]
    assert kk_case(word, "nominative") == word


def test_a_word_that_is_not_kazakh_is_refused() -> None:
    with pytest.raises(ValueError):
        kk_case("2026", "dative")


@pytest.mark.parametrize("month", list(RUSSIAN))
@pytest.mark.parametrize("case", CASES)
def test_a_russian_date_keeps_one_form(month: int, case: DayCase) -> None:
    # "до 15 декабря", "с 15 декабря": the genitive serves every preposition.
    assert format_day(date(2026, month, 15), "ru", case=case) == f"15 {RUSSIAN[month]} 2026\u202fг."


def test_sentences_read_as_a_kazakh_writes_them() -> None:
    day = date(2026, 12, 31)
    assert f"{format_day(day, 'kk', case='dative')} дейін" == "2026 жылғы 31 желтоқсанға дейін"
    assert f"{format_day(day, 'kk', case='ablative')} бастап" == (
        "2026 жылғы 31 желтоқсаннан бастап"
    )
    assert f"Тыңдау {format_day(day, 'kk', case='locative')} өтеді" == (
        "Тыңдау 2026 жылғы 31 желтоқсанда өтеді"
    )


def test_a_moment_is_dated_by_the_districts_clock() -> None:
    # 20:00 UTC on New Year's Eve is already 1 January in Almaty (UTC+5).
    moment = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert format_day(moment, "kk") == "2027 жылғы 1 қаңтар"
    assert format_day(moment, "ru") == "1 января 2027\u202fг."


def test_a_month_as_the_portal_writes_it() -> None:
    assert format_month(date(2026, 12, 1), "kk") == "2026 жылғы желтоқсан"
    assert format_month(date(2026, 3, 1), "kk") == "2026 жылғы наурыз"
    assert format_month(date(2026, 12, 1), "ru") == "декабрь 2026"
