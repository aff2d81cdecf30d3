"""Every text that sends the reader to the department says how to reach it: the phone from the
district file (and the address where there is room), the phone written compactly in an SMS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from casework.law.district import DistrictConfigError, load_district
from casework.texts.i18n import LOCALES, gettext
from tests.test_translations import KEYWORDS, MESSAGES, PACKAGES, ROOT, placeholders

DISTRICT_FILE = Path(__file__).resolve().parents[1] / "casework/law/districts/t_ryskulov.toml"

# "call the department", "come to the department", "bring it to the department", "let the
# department know", "… or at the department": the reader has to reach it.
SENDS_TO_THE_DEPARTMENT = re.compile(
    r"\b(call|contact|come to|go to|let) the department\b"
    r"|\b(bring|give|take)\b[^.]*\b(to|at) the department\b"
    r"|\bor at the department\b|\bor call it\b",
    re.IGNORECASE,
)
# The letters of notices and reminders end with the department's address and phone
# (texts/notices.render); their SMS are checked as rendered (tests/test_notice_forms.py).
LETTERS = {"notices.py", "reminders.py", "protocol.py", "answers.py"}
# Messages whose code is not the texts' to change (dialogs/, texts/status.py): each has a
# proposed message with {phone} waiting to replace it. Remove a line when its change lands.
PENDING: set[str] = set()


def _shown_alone() -> set[str]:
    """The messages the bot and the SMS replies show as they are, without a letter's footer."""
    ids: set[str] = set()
    for package in PACKAGES:
        for file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            in_letter = file.startswith("texts/") and Path(file).name in LETTERS
            if isinstance(message, str) and not in_letter:
                ids.add(message)
    return ids


ALONE = sorted(_shown_alone())


def test_the_texts_that_send_the_reader_to_the_department_are_found() -> None:
    found = [m for m in ALONE if SENDS_TO_THE_DEPARTMENT.search(m)]
    assert len(found) >= 5, found


def test_every_text_that_sends_the_reader_to_the_department_gives_its_phone() -> None:
    missing = [
        m
        for m in ALONE
        if SENDS_TO_THE_DEPARTMENT.search(m) and "phone" not in placeholders(m) and m not in PENDING
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_translations_keep_the_phone(locale: str) -> None:
    for message in MESSAGES:
        if "phone" in placeholders(message):
            assert "+77263120000" in gettext(locale, message, **_blanks(message)), message


def _blanks(message: str) -> dict[str, str]:
    return {name: "+77263120000" if name == "phone" else "" for name in placeholders(message)}


def test_the_district_phone_is_written_compactly_for_sms() -> None:
    provider = load_district(DISTRICT_FILE).provider
    assert provider.phone == "+7 (72631) 2-00-00"  # as a letter prints it
    assert provider.compact_phone == "+77263120000"  # as an SMS carries it


@pytest.mark.parametrize("phone", ["2-00-00", "+7 (72631) 2-00", "call us"])
def test_a_district_file_with_a_phone_no_one_can_dial_does_not_load(
    tmp_path: Path, phone: str
) -> None:
    text = DISTRICT_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "district.toml"
    bad.write_text(text.replace('phone = "+7 (72631) 2-00-00"', f'phone = "{phone}"'), "utf-8")
    with pytest.raises(DistrictConfigError, match=r"district\.toml: provider\.phone"):
        load_district(bad)
