"""The words of every notice, in the applicant's language: a full text for chat and print, and a
short SMS text (Cyrillic SMS is UCS-2, 70 characters a part, so every SMS word costs).

Each kind is one function of a `NoticeFacts` built from the case; no channel logic lives here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from casework.law.district import District
from casework.law.notices import NoticeKind
from casework.law.rules import (
    DocumentKind,
    HearingMode,
    Periodicity,
    RefusalGround,
    TerminationGround,
)
from casework.law.terms import Term
from casework.tables.applications import Application
from casework.tables.hearings import Hearing
from casework.texts.i18n import day_and_time, format_day, format_short_day, format_tenge, gettext
from casework.texts.labels import label


@dataclass(frozen=True)
class Words:
    """One kind's own words: its title, its text, its short SMS."""

    title: str
    text: str
    sms_text: str


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str  # the letter: greeting, the notice's own words, the department's footer
    sms_text: str
    # The notice's own words: what the bot shows on its receipt screen, the same as the letter's.
    body: str


@dataclass
class NoticeFacts:
    """What a notice may say, gathered once from the case (and the caller's payload)."""

    number: int
    name: str
    district: District
    today: date
    registered_on: date | None = None
    decision_due: date | None = None
    hearing: Hearing | None = None
    # The objection's last day if the notice is received today (the law counts from receipt).
    objection_due_if_today: date | None = None
    refusal_grounds: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    periodicity: Periodicity | None = None
    starts_on: date | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def facts_for(
    app: Application,
    district: District,
    payload: dict[str, Any],
    *,
    objection_due_if_today: date | None,
    name: str,
    today: date,
) -> NoticeFacts:
    decision = app.latest_decision
    assistance = decision.assistance if decision is not None else None
    hearing = app.latest_hearing
    grounds = list(decision.refusal_grounds) if decision and not decision.granted else []
    if not grounds and hearing is not None:
        grounds = list(hearing.refusal_grounds)
    return NoticeFacts(
        number=app.id,
        name=name,
        district=district,
        today=today,
        registered_on=app.registered_on,
        decision_due=app.deadline(Term.DECISION),
        hearing=hearing,
        objection_due_if_today=objection_due_if_today,
        refusal_grounds=grounds,
        amount=assistance.amount if assistance else None,
        periodicity=assistance.periodicity if assistance else None,
        starts_on=assistance.starts_on if assistance else None,
        payload=payload,
    )


def _lines(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _greeting(f: NoticeFacts, loc: str) -> str | None:
    return gettext(loc, "Dear {name},", name=f.name) if f.name else None


def _footer(f: NoticeFacts, loc: str) -> str:
    provider = f.district.provider
    return f"{getattr(provider.name, loc)}\n{getattr(provider.address, loc)}, {provider.phone}"


def _grounds(values: list[str], loc: str) -> str:
    return "; ".join(label(RefusalGround(v), loc) for v in values)


def _hearing_line(h: Hearing, f: NoticeFacts, loc: str) -> str:
    day, clock = day_and_time(h.scheduled_at, f.district.zone)
    return gettext(
        loc,
        "Hearing: {date} at {time}, {mode}.",
        date=format_day(day, loc),
        time=clock,
        mode=label(HearingMode(h.mode), loc),
    )


def _hearing_short(h: Hearing, f: NoticeFacts) -> tuple[str, str]:
    day, clock = day_and_time(h.scheduled_at, f.district.zone)
    return format_short_day(day), clock


def _details(h: Hearing | None, loc: str) -> str | None:
    if h is None or not h.details:
        return None
    return gettext(loc, "Details: {details}", details=h.details)


def _acceptance(f: NoticeFacts, loc: str) -> Words:
    registered, due = f.registered_on, f.decision_due
    assert registered is not None and due is not None, "an acceptance receipt follows registration"
    text = gettext(
        loc,
        "✅ Application No. {number} is accepted.\n"
        "Registered on: {registered}.\n"
        "The decision is due by: {decision}.",
        number=f.number,
        registered=format_day(registered, loc),
        decision=format_day(due, loc),
    )
    sms = gettext(
        loc,
        "Application No. {number} accepted on {registered}.",
        number=f.number,
        registered=format_short_day(registered),
    )
    sms += " " + gettext(loc, "Decision by {decision}.", decision=format_short_day(due))
    return Words(gettext(loc, "Acceptance receipt"), text, sms)


def _refusal_to_accept(f: NoticeFacts, loc: str) -> Words:
    lacking = [*(f.payload.get("missing") or []), *(f.payload.get("expired") or [])]
    text = gettext(
        loc,
        "❌ Application No. {number} is not accepted. These documents are missing or expired:\n"
        "{missing}\n"
        "Collect them and file again.",
        number=f.number,
        missing="\n".join(f"• {label(DocumentKind(k), loc)}" for k in lacking),
    )
    sms = gettext(
        loc,
        "Application No. {number} not accepted: documents incomplete. Tel. {phone}",
        number=f.number,
        phone=f.district.provider.phone,
    )
    return Words(gettext(loc, "Receipt of refusal to accept the application"), text, sms)


def _how_to_object(f: NoticeFacts, loc: str) -> str:
    provider = f.district.provider
    return gettext(
        loc,
        "You can object through the Telegram bot, by replying to our SMS, or at the department: "
        "{address}, tel. {phone}.",
        address=getattr(provider.address, loc),
        phone=provider.phone,
    )


def _preliminary_refusal(f: NoticeFacts, loc: str) -> Words:
    h = f.hearing
    assert h is not None, "a preliminary refusal announces a hearing"
    until = f.objection_due_if_today
    text = _lines(
        gettext(
            loc,
            "Preliminary decision on your application No. {number}: social assistance is to be "
            "refused.",
            number=f.number,
        ),
        gettext(loc, "Grounds: {grounds}.", grounds=_grounds(list(h.refusal_grounds), loc)),
        _hearing_line(h, f, loc),
        _details(h, loc),
        gettext(
            loc,
            "You may object in writing or orally within 2 working days of receiving this notice "
            "(if you received it today, until {deadline} inclusive).",
            deadline=format_day(until, loc) if until else "—",
        ),
        _how_to_object(f, loc),
    )
    day, time = _hearing_short(h, f)
    sms = gettext(
        loc,
        "Application No. {number}: preliminary refusal. Hearing {date} {time}. "
        "Object within 2 working days by replying to this SMS.",
        number=f.number,
        date=day,
        time=time,
    )
    return Words(gettext(loc, "Preliminary decision and hearing"), text, sms)


def _hearing_invitation(f: NoticeFacts, loc: str) -> Words:
    h = f.hearing
    assert h is not None, "an invitation needs a scheduled hearing"
    text = _lines(
        gettext(
            loc,
            "You are invited to the hearing on your application No. {number}.",
            number=f.number,
        ),
        _hearing_line(h, f, loc),
        _details(h, loc),
        gettext(loc, "Please confirm that you will attend."),
    )
    day, time = _hearing_short(h, f)
    sms = gettext(
        loc,
        "Hearing on application No. {number}: {date} {time}, {mode}.",
        number=f.number,
        date=day,
        time=time,
        mode=label(HearingMode(h.mode), loc),
    )
    return Words(gettext(loc, "Invitation to a hearing"), text, sms)


def _granted(f: NoticeFacts, loc: str) -> Words:
    assert f.amount is not None and f.periodicity is not None and f.starts_on is not None
    amount = format_tenge(f.amount, loc)
    periodicity = label(f.periodicity, loc)
    text = _lines(
        gettext(
            loc,
            "Social assistance has been granted on your application No. {number}: {amount}, "
            "{periodicity}, from {starts}.",
            number=f.number,
            amount=amount,
            periodicity=periodicity,
            starts=format_day(f.starts_on, loc),
        ),
        gettext(loc, "The money is paid to your bank account through the State Corporation."),
    )
    sms = gettext(
        loc,
        "Application No. {number}: assistance granted, {amount}, {periodicity}.",
        number=f.number,
        amount=amount,
        periodicity=periodicity,
    )
    return Words(gettext(loc, "Decision to grant social assistance"), text, sms)


def _refused(f: NoticeFacts, loc: str) -> Words:
    text = _lines(
        gettext(
            loc,
            "Social assistance has been refused on your application No. {number}.",
            number=f.number,
        ),
        gettext(loc, "Grounds: {grounds}.", grounds=_grounds(f.refusal_grounds, loc))
        if f.refusal_grounds
        else None,
        gettext(
            loc,
            "You may appeal this decision to a higher administrative body or to court under the "
            "Administrative Procedural Code of the Republic of Kazakhstan.",
        ),
    )
    sms = gettext(
        loc,
        "Application No. {number}: assistance refused. Grounds and how to appeal: tel. {phone}",
        number=f.number,
        phone=f.district.provider.phone,
    )
    return Words(gettext(loc, "Decision to refuse social assistance"), text, sms)


def _termination(f: NoticeFacts, loc: str) -> Words:
    stops = date.fromisoformat(str(f.payload["stops"]))
    ground = label(TerminationGround(f.payload["ground"]), loc)
    text = gettext(
        loc,
        "Social assistance on your application No. {number} has been terminated. Reason: "
        "{ground}. Payments stop from {stops}.",
        number=f.number,
        ground=ground,
        stops=format_day(stops, loc),
    )
    sms = gettext(
        loc,
        "Application No. {number}: assistance terminated from {stops}. Tel. {phone}",
        number=f.number,
        stops=format_short_day(stops),
        phone=f.district.provider.phone,
    )
    return Words(gettext(loc, "Termination of social assistance"), text, sms)


def _holiday(f: NoticeFacts, loc: str) -> Words:
    """Paid without an application (DR §12, §28); the payload may name the holiday and amount."""
    holiday_name, amount = _holiday_details(f, loc)
    if holiday_name and amount:
        text = gettext(
            loc,
            "You have been granted assistance for the holiday «{holiday}» without an "
            "application: {amount}.",
            holiday=holiday_name,
            amount=amount,
        )
        sms = gettext(
            loc, "Holiday assistance granted without an application: {amount}.", amount=amount
        )
    else:
        text = gettext(loc, "You have been granted holiday assistance without an application.")
        sms = gettext(loc, "Holiday assistance has been granted to you without an application.")
    text = _lines(
        text, gettext(loc, "The money is paid to your bank account through the State Corporation.")
    )
    return Words(gettext(loc, "Holiday assistance"), text, sms)


def _holiday_details(f: NoticeFacts, loc: str) -> tuple[str | None, str | None]:
    code = f.payload.get("holiday")  # "MM-DD" as in the district file
    holiday = f.district.holiday(code) if code else None
    if holiday is None:
        return None, None
    category = next(
        (c for c in holiday.categories if c.code == f.payload.get("category")),
        holiday.categories[0],
    )
    year = int(f.payload.get("year") or f.today.year)
    amount = format_tenge(f.district.holiday_amount(category, year), loc)
    return getattr(holiday.name, loc), amount


RENDERERS: dict[NoticeKind, Callable[[NoticeFacts, str], Words]] = {
    NoticeKind.ACCEPTANCE_RECEIPT: _acceptance,
    NoticeKind.REFUSAL_TO_ACCEPT: _refusal_to_accept,
    NoticeKind.PRELIMINARY_REFUSAL: _preliminary_refusal,
    NoticeKind.HEARING_INVITATION: _hearing_invitation,
    NoticeKind.DECISION_GRANTED: _granted,
    NoticeKind.DECISION_REFUSED: _refused,
    NoticeKind.TERMINATION: _termination,
    NoticeKind.HOLIDAY_ASSISTANCE: _holiday,
}


# A date at a sentence's end already ends with "ж." / "г.": no second full stop.
_DOUBLE_STOP = re.compile(r"(?<=\b[жг])\.\.")


def render(kind: NoticeKind, facts: NoticeFacts, locale: str) -> Rendered:
    own = RENDERERS[kind](facts, locale)
    text = _lines(_greeting(facts, locale), own.text) + "\n\n" + _footer(facts, locale)
    return Rendered(
        own.title,
        _DOUBLE_STOP.sub(".", text),
        _DOUBLE_STOP.sub(".", own.sms_text),
        _DOUBLE_STOP.sub(".", own.text),
    )
