"""The words of every notice, in the applicant's language: a full text for chat and print, and a
short SMS text (Cyrillic SMS is UCS-2, 70 characters a part, so every SMS word costs).

Each kind is one function of a `NoticeFacts` built from the case; no channel logic lives here.
What each kind says follows its form: the receipts SR §6 (App. 2-1), the decisions SR §15
(App. 6, 7), termination DR §24. An SMS keeps the fields that decide something for the reader
(grounds, dates, how to appeal) and drops the rest when two parts cannot hold them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from casework.law.district import District
from casework.law.notices import NoticeKind
from casework.law.rules import (
    DocumentKind,
    HearingMode,
    RefusalGround,
    TerminationGround,
)
from casework.law.terms import Term
from casework.tables.applications import Application
from casework.tables.hearings import Hearing
from casework.texts.answers import question_answer
from casework.texts.i18n import (
    day_and_time,
    format_day,
    format_month,
    format_short_day,
    format_tenge,
    gettext,
)
from casework.texts.labels import label, short_label
from casework.texts.protocol import protocol_ready
from casework.texts.reminders import reminder
from casework.texts.words import NoticeFacts, Words, fit, lines


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str  # the letter: greeting, the notice's own words, the department's footer
    sms_text: str
    # The notice's own words: what the bot shows on its receipt screen, the same as the letter's.
    body: str


def facts_for(
    app: Application,
    district: District,
    payload: dict[str, Any],
    *,
    objection_due: date | None,
    handed_over_on: date | None = None,
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
        received_by=app.received_by,
        hearing=hearing,
        objection_due=objection_due,
        handed_over_on=handed_over_on,
        refusal_grounds=grounds,
        decision_number=decision.id if decision else None,
        decided_on=district_day(decision.decided_at, district) if decision else None,
        assistance_kind=assistance.kind if assistance else None,
        amount=assistance.amount if assistance else None,
        periodicity=assistance.periodicity if assistance else None,
        starts_on=assistance.starts_on if assistance else None,
        stops_on=assistance.stops_on if assistance else None,
        payload=payload,
    )


def district_day(moment: datetime, district: District) -> date:
    """The day a moment falls on in the district."""
    return day_and_time(moment, district.zone)[0]


def _greeting(f: NoticeFacts, kind: NoticeKind, loc: str) -> str | None:
    if kind is NoticeKind.TERMINATION and f.payload.get("ground") == TerminationGround.DEATH:
        # The recipient has died: the letter goes to the family, never to the deceased by name.
        return lines(
            gettext(loc, "Dear family members,"), gettext(loc, "Please accept our condolences.")
        )
    return gettext(loc, "Dear {name},", name=f.name) if f.name else None


def _footer(f: NoticeFacts, loc: str) -> str:
    provider = f.district.provider
    return lines(
        getattr(provider.name, loc),
        getattr(provider.address, loc),
        gettext(loc, "Tel. {phone}", phone=provider.phone),
    )


def _bullets(heading: str, items: list[str]) -> str | None:
    """One item a line: the items' own commas would make a list on one line ambiguous."""
    if not items:
        return None
    return "\n".join([heading, *(f"• {item}" for item in items)])


def _grounds(values: list[str], loc: str) -> str | None:
    return _bullets(gettext(loc, "Grounds:"), [label(RefusalGround(v), loc) for v in values])


def _decision_line(f: NoticeFacts, loc: str) -> str | None:
    if f.decision_number is None or f.decided_on is None:
        return None
    return gettext(
        loc,
        "Decision number and date: No. {decision} of {date}",
        decision=f.decision_number,
        date=format_day(f.decided_on, loc),
    )


def _appeal(loc: str) -> str:
    """APPC art. 91: a complaint to the higher body (the district akimat, over its department)
    through the department within 3 months of learning of the decision; then the court."""
    return gettext(
        loc,
        "If you disagree, you may complain to the district akimat through our department within "
        "3 months of receiving this notice. If you disagree with the answer to the complaint, "
        "you may go to court (Administrative Procedural Code of the Republic of Kazakhstan, "
        "article 91).",
    )


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
    """SR §6: the registration date, the day the result is ready, who took the documents."""
    registered, due = f.registered_on, f.decision_due
    assert registered is not None and due is not None, "an acceptance receipt follows registration"
    text = lines(
        gettext(loc, "✅ Application No. {number} is accepted and registered.", number=f.number),
        gettext(loc, "Registered on: {date}", date=format_day(registered, loc)),
        gettext(loc, "The result will be ready by: {date}", date=format_day(due, loc)),
        gettext(loc, "Documents taken by: {name}", name=f.received_by) if f.received_by else None,
    )
    sms = gettext(
        loc,
        "Application No. {number} accepted on {registered}.",
        number=f.number,
        registered=format_short_day(registered),
    )
    sms += " " + gettext(loc, "Decision by {decision}.", decision=format_short_day(due))
    return Words(gettext(loc, "Acceptance receipt"), text, sms)


def _document_list(heading: str, kinds: list[str], loc: str) -> str | None:
    return _bullets(heading, [label(DocumentKind(k), loc) for k in kinds])


def _refusal_to_accept(f: NoticeFacts, loc: str) -> Words:
    """SR App. 2-1: what is missing, what has expired, and who gave the receipt."""
    missing, expired = f.payload.get("missing") or [], f.payload.get("expired") or []
    text = lines(
        gettext(loc, "❌ Application No. {number} is not accepted.", number=f.number),
        _document_list(gettext(loc, "Documents missing:"), missing, loc),
        _document_list(gettext(loc, "Documents expired:"), expired, loc),
        gettext(loc, "Collect them and file again."),
        gettext(loc, "Receipt issued by: {name}", name=f.received_by) if f.received_by else None,
    )
    sms = gettext(
        loc,
        "Application No. {number} not accepted: documents incomplete. Tel. {phone}",
        number=f.number,
        phone=f.district.provider.compact_phone,
    )
    return Words(gettext(loc, "Receipt of refusal to accept the application"), text, sms)


def _how_to_object(f: NoticeFacts, loc: str) -> str:
    provider = f.district.provider
    return gettext(
        loc,
        "You can object through the Telegram bot, by an SMS to our number with the word for "
        "objection and your reason, or at the department: {address}, tel. {phone}.",
        address=getattr(provider.address, loc),
        phone=provider.phone,
    )


def _objection_term(f: NoticeFacts, loc: str) -> str:
    """A handed-over sheet names the day it was handed over and the last day counted from it;
    a notice on its way can only say what the last day is if it arrives today."""
    due = format_day(f.objection_due, loc) if f.objection_due else "—"
    if f.handed_over_on is not None:
        return lines(
            gettext(loc, "Handed over to you on: {date}", date=format_day(f.handed_over_on, loc)),
            gettext(
                loc,
                "You may object in writing or orally within 2 working days; the last day is "
                "{deadline}.",
                deadline=due,
            ),
        )
    return gettext(
        loc,
        "You may object in writing or orally within 2 working days of receiving this notice "
        "(if you received it today, until {deadline} inclusive).",
        deadline=due,
    )


def _preliminary_refusal(f: NoticeFacts, loc: str) -> Words:
    h = f.hearing
    assert h is not None, "a preliminary refusal announces a hearing"
    text = lines(
        gettext(
            loc,
            "Preliminary decision on your application No. {number}: social assistance is to be "
            "refused.",
            number=f.number,
        ),
        _grounds(list(h.refusal_grounds), loc),
        _hearing_line(h, f, loc),
        _details(h, loc),
        _objection_term(f, loc),
        _how_to_object(f, loc),
    )
    day, time = _hearing_short(h, f)
    sms = gettext(
        loc,
        "Application No. {number}: preliminary refusal. Hearing {date} {time}. "
        "To object within 2 working days, reply with the word for objection and your reason.",
        number=f.number,
        date=day,
        time=time,
    )
    return Words(gettext(loc, "Preliminary decision and hearing"), text, sms)


def _hearing_invitation(f: NoticeFacts, loc: str) -> Words:
    h = f.hearing
    assert h is not None, "an invitation needs a scheduled hearing"
    text = lines(
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


def _kind_name(f: NoticeFacts, loc: str) -> str | None:
    kind = next((k for k in f.district.assistance if k.code == f.assistance_kind), None)
    return getattr(kind.name, loc) if kind else f.assistance_kind


def _period(f: NoticeFacts, loc: str) -> str:
    assert f.starts_on is not None
    if f.stops_on is None:
        # kk: "…1 қаңтардан бастап" (from).
        starts = format_day(f.starts_on, loc, case="ablative")
        return gettext(loc, "Period starts on: {starts}", starts=starts)
    return gettext(
        loc,
        "Period: {starts} – {stops}",
        starts=format_day(f.starts_on, loc),
        stops=format_day(f.stops_on, loc),
    )


def _granted(f: NoticeFacts, loc: str) -> Words:
    """SR App. 6: the kind, amount, periodicity and period, the decision's date and number."""
    assert f.amount is not None and f.periodicity is not None and f.starts_on is not None
    amount = format_tenge(f.amount, loc)
    periodicity = label(f.periodicity, loc)
    kind = _kind_name(f, loc)
    text = lines(
        gettext(
            loc,
            "Social assistance has been granted on your application No. {number}: {amount}.",
            number=f.number,
            amount=amount,
        ),
        gettext(loc, "Kind of assistance: {kind}", kind=kind) if kind else None,
        gettext(loc, "How often it is paid: {periodicity}", periodicity=periodicity),
        _period(f, loc),
        _decision_line(f, loc),
        gettext(loc, "The money is paid to your bank account through the State Corporation."),
    )
    short = {
        "number": f.number,
        "amount": amount,
        "periodicity": periodicity,
        "decision": f.decision_number,
        "date": format_short_day(f.decided_on or f.today),
    }
    sms = fit(
        gettext(
            loc,
            "Application No. {number}: granted «{kind}», {amount}, {periodicity}. "
            "Decision No. {decision} of {date}.",
            kind=kind,
            **short,
        ),
        gettext(
            loc,
            "Application No. {number}: assistance granted, {amount}, {periodicity}. "
            "Decision No. {decision} of {date}.",
            **short,
        ),
    )
    return Words(gettext(loc, "Decision to grant social assistance"), text, sms)


def _sms_grounds(values: list[str], loc: str) -> str:
    return "; ".join(short_label(RefusalGround(v), loc) for v in values)


def _refused(f: NoticeFacts, loc: str) -> Words:
    """SR App. 7: the grounds and how to appeal, in the SMS as well as in the letter."""
    text = lines(
        gettext(
            loc,
            "Social assistance has been refused on your application No. {number}.",
            number=f.number,
        ),
        _grounds(f.refusal_grounds, loc),
        _decision_line(f, loc),
        _appeal(loc),
    )
    grounds = f.refusal_grounds
    if len(grounds) > 1:
        reasons = [
            gettext(loc, "Reasons: {grounds}.", grounds=_sms_grounds(grounds, loc)),
            # Too many to fit two parts: the first, and how many more the letter names.
            gettext(
                loc,
                "Reason: {grounds} and {more} more.",
                grounds=_sms_grounds(grounds[:1], loc),
                more=len(grounds) - 1,
            ),
        ]
    else:
        reasons = [gettext(loc, "Reason: {grounds}.", grounds=_sms_grounds(grounds, loc))]
    sms = fit(
        *(
            gettext(
                loc,
                "Application No. {number}: assistance refused. {reason} Appeal: to the district "
                "akimat within 3 months, then to court.",
                number=f.number,
                reason=reason,
            )
            for reason in reasons
        )
    )
    return Words(gettext(loc, "Decision to refuse social assistance"), text, sms)


def _termination(f: NoticeFacts, loc: str) -> Words:
    """DR §24: the ground, the day payments stop, the right to appeal."""
    stops = date.fromisoformat(str(f.payload["stops"]))
    ground = TerminationGround(f.payload["ground"])
    text = lines(
        gettext(
            loc,
            "Social assistance on application No. {number} has been terminated.",
            number=f.number,
        ),
        gettext(loc, "Reason: {grounds}.", grounds=label(ground, loc)),
        # kk: "…1 қаңтардан бастап" (from).
        gettext(loc, "Payments stop from: {date}", date=format_day(stops, loc, case="ablative")),
        _appeal(loc),
    )
    short = {"number": f.number, "stops": format_short_day(stops)}
    sms = fit(
        gettext(
            loc,
            "Application No. {number}: assistance terminated from {stops}. Reason: {ground}. "
            "Appeal: to the district akimat within 3 months.",
            ground=short_label(ground, loc),
            **short,
        ),
        gettext(
            loc,
            "Application No. {number}: assistance terminated from {stops}. Tel. {phone}",
            phone=f.district.provider.compact_phone,
            **short,
        ),
    )
    return Words(gettext(loc, "Termination of social assistance"), text, sms)


def _holiday(f: NoticeFacts, loc: str) -> Words:
    """Paid without an application (DR §12, §28). DR §2 tells holidays (мереке күндері) from
    memorable days (атаулы күндер): a day of remembrance is never called a holiday."""
    holiday_name, memorial, amount = _holiday_details(f, loc)
    if holiday_name is None or amount is None:
        text = sms = gettext(loc, "You have been granted social assistance without an application.")
        title = gettext(loc, "Assistance without an application")
    elif memorial:
        text = gettext(
            loc,
            "You have been granted assistance for the memorable day «{holiday}» without an "
            "application: {amount}.",
            holiday=holiday_name,
            amount=amount,
        )
        sms = gettext(
            loc,
            "Assistance for a memorable day granted without an application: {amount}.",
            amount=amount,
        )
        title = gettext(loc, "Assistance for a memorable day")
    else:
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
        title = gettext(loc, "Holiday assistance")
    text = lines(
        text, gettext(loc, "The money is paid to your bank account through the State Corporation.")
    )
    return Words(title, text, sms)


def _holiday_details(f: NoticeFacts, loc: str) -> tuple[str | None, bool, str | None]:
    code = f.payload.get("holiday")  # "MM-DD" as in the district file
    holiday = f.district.holiday(code) if code else None
    if holiday is None:
        return None, False, None
    category = next(
        (c for c in holiday.categories if c.code == f.payload.get("category")),
        holiday.categories[0],
    )
    year = int(f.payload.get("year") or f.today.year)
    amount = format_tenge(f.district.holiday_amount(category, year), loc)
    return getattr(holiday.name, loc), holiday.memorial, amount


def _signing_code(f: NoticeFacts, loc: str) -> Words:
    """SR §6: the code that certifies the filing; who asks for it by phone is not us."""
    text = gettext(
        loc,
        "Code to sign application No. {number}: {code}. It is valid for 5 minutes. "
        "Do not tell it to anyone, even staff.",
        number=f.number,
        code=f.payload["code"],
    )
    return Words(gettext(loc, "Code to sign the application"), text, text)


def _link_code(f: NoticeFacts, loc: str) -> Words:
    text = gettext(
        loc,
        "Code to link Telegram to your IIN: {code}. It is valid for 5 minutes. Do not tell it "
        "to anyone, even staff.",
        code=f.payload["code"],
    )
    return Words(gettext(loc, "Code to link your Telegram account"), text, text)


def _payment_returned(f: NoticeFacts, loc: str) -> Words:
    """DR §33: the paying organisation sent a payment back; the account is usually wrong."""
    p = f.payload
    amount = format_tenge(Decimal(p["amount"]), loc)
    month = ", ".join(format_month(date.fromisoformat(m), loc) for m in p["months"])
    provider = f.district.provider
    text = lines(
        gettext(
            loc,
            "The payment of {amount} for {month} on your application No. {number} came back "
            "from the bank.",
            amount=amount,
            month=month,
            number=f.number,
        ),
        gettext(loc, "The bank's reason: {reason}", reason=p["reason"]) if p["reason"] else None,
        gettext(
            loc,
            "Please check your bank account number (IBAN) and bring the right one to the "
            "department: {address}, tel. {phone}. The payment will then be sent again.",
            address=getattr(provider.address, loc),
            phone=provider.phone,
        ),
    )
    sms = gettext(
        loc,
        "Application No. {number}: the payment of {amount} came back from the bank. Check your "
        "IBAN and give it again at the department. Tel. {phone}",
        number=f.number,
        amount=amount,
        phone=provider.compact_phone,
    )
    return Words(gettext(loc, "A payment came back from the bank"), text, sms)


RENDERERS: dict[NoticeKind, Callable[[NoticeFacts, str], Words]] = {
    NoticeKind.ACCEPTANCE_RECEIPT: _acceptance,
    NoticeKind.REFUSAL_TO_ACCEPT: _refusal_to_accept,
    NoticeKind.PRELIMINARY_REFUSAL: _preliminary_refusal,
    NoticeKind.HEARING_INVITATION: _hearing_invitation,
    NoticeKind.DECISION_GRANTED: _granted,
    NoticeKind.DECISION_REFUSED: _refused,
    NoticeKind.TERMINATION: _termination,
    NoticeKind.HOLIDAY_ASSISTANCE: _holiday,
    NoticeKind.SIGNING_CODE: _signing_code,
    NoticeKind.LINK_CODE: _link_code,
    NoticeKind.PAYMENT_RETURNED: _payment_returned,
    NoticeKind.PROTOCOL_READY: protocol_ready,
    NoticeKind.REMINDER: reminder,
    NoticeKind.QUESTION_ANSWER: question_answer,
}


# A date at a sentence's end may end with an abbreviation: a Russian one with "г.", a Kazakh SMS
# date with "ж." ("24.12.2026 ж. дейін"). No second full stop after it.
_DOUBLE_STOP = re.compile(r"(?<=\b[жг])\.\.")


def render(kind: NoticeKind, facts: NoticeFacts, locale: str) -> Rendered:
    own = RENDERERS[kind](facts, locale)
    text = lines(_greeting(facts, kind, locale), own.text) + "\n\n" + _footer(facts, locale)
    return Rendered(
        own.title,
        _DOUBLE_STOP.sub(".", text),
        _DOUBLE_STOP.sub(".", own.sms_text),
        _DOUBLE_STOP.sub(".", own.text),
    )
