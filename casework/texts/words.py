"""What every message to an applicant is made of: the facts a message may use, its words, and the
SMS arithmetic (Cyrillic SMS is UCS-2, 67 characters a part in a long message, so every word costs).

Notices (texts/notices.py), reminders, answers to questions and the protocol message all render
from these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from casework.law.district import District
from casework.law.rules import Periodicity
from casework.tables.hearings import Hearing

# Two UCS-2 parts of 67 characters: the most one notice may cost the reader's phone.
SMS_LIMIT = 2 * 67


@dataclass(frozen=True)
class Words:
    """One kind's own words: its title, its text, its short SMS."""

    title: str
    text: str
    sms_text: str


@dataclass
class NoticeFacts:
    """What a notice may say, gathered once from the case (and the caller's payload)."""

    number: int
    name: str
    district: District
    today: date
    registered_on: date | None = None
    decision_due: date | None = None
    # Who took the documents (SR §6: printed on the receipt); None for a bot filing.
    received_by: str | None = None
    hearing: Hearing | None = None
    # The last day to object (APPC art. 73(3): 2 working days from receipt). For a notice being
    # sent it assumes receipt today; for one handed over, `handed_over_on` is the receipt.
    objection_due: date | None = None
    handed_over_on: date | None = None
    refusal_grounds: list[str] = field(default_factory=list)
    decision_number: int | None = None
    decided_on: date | None = None
    assistance_kind: str | None = None  # the district file's code
    amount: Decimal | None = None
    periodicity: Periodicity | None = None
    starts_on: date | None = None
    stops_on: date | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def sms_units(text: str) -> int:
    """UTF-16 code units: what a UCS-2 SMS part counts."""
    return len(text.encode("utf-16-le")) // 2


def fit(*candidates: str) -> str:
    """The fullest SMS that fits two parts; the last candidate is the short form."""
    return next((c for c in candidates if sms_units(c) <= SMS_LIMIT), candidates[-1])


def lines(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)
