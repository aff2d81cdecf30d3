"""Names as the identity card writes them: what is taken, how it is split, what is refused."""

from __future__ import annotations

import pytest

from casework.law.names import InvalidName, PersonName, parse_person_name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Сейітқалиева Әлия Нұрланқызы", PersonName("Сейітқалиева", "Әлия", "Нұрланқызы")),
        ("  сейітқали   нұрлан  ", PersonName("Сейітқали", "Нұрлан", None)),
        ("ИВАНОВА-ПЕТРОВА анна сергеевна", PersonName("Иванова-Петрова", "Анна", "Сергеевна")),
        ("Жұмабаев Серік Нұрлан ұлы", PersonName("Жұмабаев", "Серік", "Нұрлан ұлы")),
        ("O'Neil Aidana", PersonName("O'Neil", "Aidana", None)),  # typed in mixed case: kept
        ("Ким Ен Су", PersonName("Ким", "Ен", "Су")),
    ],
)
def test_names_people_write(typed: str, name: PersonName) -> None:
    assert parse_person_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("Әлия", "parts"),
        ("Әлия 🌸", "letters"),
        ("Сейітқали Әлия1", "letters"),
        ("Сейітқали -Әлия", "letters"),
        ("Сейітқали Aлия", "script"),  # a Latin A among Cyrillic letters
        ("Сейітқали Әлия" + " Аты" * 4, "parts"),
        ("Сейітқали " + "ә" * 61, "length"),
    ],
)
def test_what_is_not_a_name(typed: str, reason: str) -> None:
    with pytest.raises(InvalidName) as caught:
        parse_person_name(typed)
    assert caught.value.reason == reason
