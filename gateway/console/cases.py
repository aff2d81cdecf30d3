"""The case page: the applicant and family, incomes against the threshold, every document viewable
in the page, every term with its law and state, one timeline of steps and notices, and the next
lawful actions (templates/case_actions.html). Identity numbers and phones are masked unless the
member's role may see them (`view_iin`); documents go only to staff whose role may view cases.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from casework.law.errors import NotFound
from casework.law.identity import mask_iin, mask_phone
from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.procedure import Step
from casework.law.roles import Action
from casework.law.rules import DocumentKind, RefusalGround, TerminationGround
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import case_view, lookups, notice_proof
from casework.steps.case_file import load_application
from casework.steps.rows import ID_MAX
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.audit import AuditEvent
from casework.texts.i18n import N_, day_and_time, format_day, format_tenge, gettext
from casework.texts.labels import LABELS, label
from casework.texts.notice_names import (
    NOTICE_CHANNEL_NAMES,
    NOTICE_KIND_NAMES,
    NOTICE_STATUS_NAMES,
)
from gateway.console.errors import law_words
from gateway.console.web import Console, ConsoleDep, NotAllowed
from gateway.staff import notices as staff_notices
from gateway.staff.deps import EnvDep, RuntimeDep, SessionDep

router = APIRouter()

# ---------------------------------------------------------------- the console's own names
# Names the bot and the notices never needed: staff read them. Statuses, grounds, terms,
# documents and channel reasons keep the names every reader sees (casework/texts/labels.py).
# Steps are named as their forms name them (gateway/console/actions.py), notices as the
# broadcasts and print pages do (gateway/console/broadcasts.py): one word for one thing.

STEP_NAMES: dict[Step, str] = {
    Step.REGISTER: N_("Register the application"),
    Step.FORWARD_TO_PRECINCT: N_("Send to the precinct commission"),
    Step.RECORD_INSPECTION: N_("Record the inspection result"),
    Step.RECORD_INCOMES: N_("Record the family members' incomes"),
    Step.TO_SPECIAL_COMMISSION: N_("Submit to the special commission"),
    Step.RECORD_CONCLUSION: N_("Record the special commission's conclusion"),
    Step.EXTEND: N_("Extend the decision term"),
    Step.PRELIMINARY_REFUSAL: N_("Issue a preliminary refusal and set a hearing"),
    Step.RESCHEDULE_HEARING: N_("Move the hearing to another time"),
    Step.RECORD_OBJECTION: N_("Record the applicant's objection"),
    Step.HOLD_HEARING: N_("Record that the hearing was held"),
    Step.MAKE_PROTOCOL: N_("Make the hearing protocol"),
    Step.RECORD_REMARKS: N_("Record the applicant's remarks on the protocol"),
    Step.GRANT: N_("Grant assistance"),
    Step.REFUSE: N_("Refuse assistance"),
    Step.TERMINATE: N_("Terminate assistance"),
}

# Notice kinds, statuses and channels: casework/texts/notice_names.py (the proof of notice too).

# How an applicant's step reached the department (the audit's `reason` of some moves).
VIA_NAMES: dict[str, str] = {
    "office": N_("At the office"),
    "bot": N_("In the Telegram bot"),
    "sms": NOTICE_CHANNEL_NAMES[NoticeChannel.SMS],
    "chat": NOTICE_CHANNEL_NAMES[NoticeChannel.CHAT],
    "print": NOTICE_CHANNEL_NAMES[NoticeChannel.PRINT],
}

# Audit entries that do not move the case (a move is named by the state it reached).
AUDIT_NAMES: dict[str, str] = {
    "draft_started": N_("The application was started"),
    "family_recorded": N_("Family members and incomes recorded"),
    "document_attached": N_("Document attached"),
    "inspection_recorded": N_("Inspection result recorded"),
    "commission_concluded": N_("Special commission's conclusion recorded"),
    "extended": N_("Decision term extended"),
    "attendance_confirmed": N_("The applicant confirmed they will attend the hearing"),
    "hearing_rescheduled": N_("The hearing was moved to another time"),
    "protocol_read": N_("The applicant read the hearing protocol"),
    "notice_broadcast": N_("Notice sent in a broadcast"),
    "notice_resent": N_("Notice sent again"),
    "holiday_granted": N_("Holiday assistance granted"),
    "iban_recorded": N_("Bank account recorded"),
    "iban_changed": N_("Bank account changed"),
    "iban_removed": N_("Bank account removed"),
    "over_budget_confirmed": N_("Grant beyond the budget confirmed"),
    "payments_cut": N_("Payments after the termination cancelled"),
    "question_answered": N_("The applicant's question answered"),
}
OTHER_ENTRY = N_("Other entry in the case")

ACTOR_NAMES: dict[str, str] = {
    "applicant": N_("The applicant"),
    "gateway": N_("The notice service"),
}

# What each term runs, in words; the numbers are the term table's (a test keeps them equal).
TERM_SPANS: dict[Term, str] = {
    Term.REGISTRATION: N_("On the day received; after working hours, the next working day"),
    Term.PRECINCT_FORWARDING: N_("1 working day from registration"),
    Term.INCOME_COMPUTATION: N_(
        "1 working day from the return of the documents from the precinct commission"
    ),
    Term.DECISION: N_("8 working days from registration"),
    Term.PRELIMINARY_REFUSAL_LATEST: N_("At least 3 working days before the decision deadline"),
    Term.OBJECTION: N_("2 working days from the receipt of the preliminary refusal"),
    Term.PROTOCOL_REMARKS: N_("3 working days from reading the protocol"),
    Term.CHAT_NOTICE: N_("1 working day from the decision (filings through the bot)"),
}
EXTENDED_DECISION_SPAN = N_("20 working days from the acceptance of the documents (term extended)")

# The term table's law ("SR §7, DR §14"; the decision's explains itself after a colon) in the
# words every console page uses (gateway/console/errors.py); an extended decision term also
# names the Model Rules' paragraphs it comes from.
MODEL_RULES = N_("Model Rules, paragraphs {n}")
_MODEL_RULES = re.compile(r"Model Rules §(\S+)")


def law_text(law: str, locale: str, *, extended: bool = False) -> str:
    reference, _, explained = law.partition(":")
    text = law_words(reference.strip(), locale)
    found = _MODEL_RULES.search(explained)
    if extended and found:
        text = f"{text}; {gettext(locale, MODEL_RULES, n=found.group(1))}"
    return text


# Keyed by the value's type as well: "preliminary_refusal" is a step, a notice and a state.
_CONSOLE_NAMES: dict[tuple[type[StrEnum], str], str] = {
    (type(value), value.value): message
    for table in (STEP_NAMES, NOTICE_KIND_NAMES, NOTICE_STATUS_NAMES, NOTICE_CHANNEL_NAMES)
    for value, message in table.items()
}


def name_of(value: StrEnum, locale: str) -> str:
    """A rule's value in the member's words: the console's own name, else the shared label."""
    message = _CONSOLE_NAMES.get((type(value), value.value))
    if message:
        return gettext(locale, message)
    if (type(value), value.value) in LABELS:
        return label(value, locale)
    return gettext(locale, OTHER_ENTRY)


_STATUSES = frozenset(s.value for s in Status)
_NOTICE_KINDS = frozenset(k.value for k in NoticeKind)


def audit_name(event: AuditEvent, locale: str) -> str:
    if event.action in _STATUSES:  # a move: named by the state it reached
        return label(Status(event.action), locale)
    return gettext(locale, AUDIT_NAMES.get(event.action, OTHER_ENTRY))


def actor_name(actor: str, locale: str) -> str:
    message = ACTOR_NAMES.get(actor)
    return gettext(locale, message) if message else actor


def _enum_list(kind: type[StrEnum], text: str, locale: str) -> str | None:
    try:
        values = [kind(v.strip()) for v in text.split(",") if v.strip()]
    except ValueError:
        return None
    return ", ".join(label(v, locale) for v in values) or None


# Audit reasons the console shows, by what they hold; the rest (sums in English, ids) are not.
_FREE_TEXT = frozenset({"inspection_recorded", "commission_concluded", "extended"})
_MASKED = frozenset({"iban_recorded", "iban_changed", "iban_removed"})  # masked when written


def audit_details(event: AuditEvent, locale: str, zone: str) -> str | None:
    """The reason of an audit entry in the member's words, when it is one they can read."""
    reason, action = event.reason, event.action
    if not reason:
        return None
    if action in _FREE_TEXT or action in _MASKED:
        return reason
    if action in ("document_attached", Status.REFUSED_TO_ACCEPT):
        return _enum_list(DocumentKind, reason, locale)
    if action in (Status.PRELIMINARY_REFUSAL, Status.REFUSED):
        return _enum_list(RefusalGround, reason, locale)
    if action == Status.TERMINATED:
        return _enum_list(TerminationGround, reason, locale)
    if action in ("notice_broadcast", "notice_resent") and reason in _NOTICE_KINDS:
        return name_of(NoticeKind(reason), locale)
    if reason in VIA_NAMES:
        return gettext(locale, VIA_NAMES[reason])
    if action == "hearing_rescheduled":
        return _moved(reason, locale, zone)
    return None


def _moved(reason: str, locale: str, zone: str) -> str | None:
    try:
        before, after = (datetime.fromisoformat(p.strip()) for p in reason.split("->"))
    except ValueError:
        return None
    return f"{_moment(before, locale, zone)} → {_moment(after, locale, zone)}"


def _moment(at: datetime, locale: str, zone: str) -> str:
    return f"{format_day(at, locale, tz=zone)}, {day_and_time(at, zone)[1]}"


# ---------------------------------------------------------------- the page


def _case_id(raw: str) -> int | None:
    """The number in the address; anything else names no case."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    number = int(raw)
    return number if 0 < number <= ID_MAX else None


async def _case(session: SessionDep, raw: str) -> Application | None:
    number = _case_id(raw)
    if number is None:
        return None
    try:
        return await load_application(session, number)
    except NotFound:
        return None


NO_CASE = N_("There is no case with this number.")
NO_DOCUMENT = N_("This case has no such document.")
NO_FILE = N_("The file of this document is missing from the storage. Tell the administrator.")


def _missing(console: Console, message: str = NO_CASE) -> HTMLResponse:
    return console.page("error.html", 404, message=message)


class Shown:
    """What the page shows of personal data: in full to roles that may see it, else masked."""

    def __init__(self, console: Console) -> None:
        self.full = console.may(Action.VIEW_IIN)

    def iin(self, iin: str | None) -> str:
        if not iin:
            return ""
        return iin if self.full else mask_iin(iin)

    def phone(self, phone: str | None) -> str:
        if not phone:
            return ""
        return phone if self.full else mask_phone(phone)


def page_helpers(console: Console, env: CaseEnv) -> dict[str, Any]:
    """The words and formats every case and queue template uses."""
    locale, zone = console.locale, env.district.timezone
    return {
        "name": lambda value: name_of(value, locale),
        # Kazakh puts a date in the case the next word asks for: "…қарашадан бастап".
        "day_from": lambda d: format_day(d, locale, case="ablative", tz=zone),
        "day_on": lambda d: format_day(d, locale, case="locative", tz=zone),
        "day_by": lambda d: format_day(d, locale, case="dative", tz=zone),
        "rules": case_view.RULES,
        "law": lambda law, extended=False: law_text(law, locale, extended=extended),
        "money": lambda amount: format_tenge(Decimal(amount), locale),
        "when": lambda at: _moment(at, locale, zone),
        "shown": Shown(console),
    }


@router.get("/cases/{application_id}", response_class=HTMLResponse)
async def case_page(
    application_id: str, console: ConsoleDep, session: SessionDep, env: EnvDep
) -> Response:
    console.require(Action.VIEW_CASES)
    app = await _case(session, application_id)
    if app is None:
        return _missing(console)
    await lookups.record_case_opened(session, app, staff_id=console.staff.id, at=env.now())
    locale, zone = console.locale, env.district.timezone
    kinds = {k.code: getattr(k.name, locale) for k in env.district.assistance}
    return console.page(
        "case.html",
        app=app,
        env=env,
        terms=case_view.term_states(env, app),
        spans=TERM_SPANS,
        extended_span=EXTENDED_DECISION_SPAN,
        timeline=await case_view.timeline(session, app.id),
        may_read_proof=staff_notices.may_read_proof(console.staff),
        viewable=case_view.VIEWABLE,
        audit_name=lambda e: audit_name(e, locale),
        audit_details=lambda e: audit_details(e, locale, zone),
        actor=lambda a: actor_name(a, locale),
        assistance_kind=lambda code: kinds.get(code, code),
        refusal_grounds=lambda codes: _enum_list(RefusalGround, ",".join(codes), locale),
        document_kind=lambda code: _enum_list(DocumentKind, code, locale) or "",
        **page_helpers(console, env),
    )


@router.get("/cases/{application_id}/documents/{document_id}")
async def document(
    application_id: str,
    document_id: str,
    console: ConsoleDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Response:
    """The uploaded file itself, shown in the browser (inline), as the type it was checked to be."""
    console.require(Action.VIEW_CASES)
    app = await _case(session, application_id)
    if app is None:
        return _missing(console)
    number = _case_id(document_id)
    try:
        doc = case_view.document_of(app, number or 0)
    except NotFound:
        return _missing(console, NO_DOCUMENT)
    if doc.content_type not in case_view.VIEWABLE:  # a paper original: nothing was stored
        return _missing(console, NO_DOCUMENT)
    # Only a file in the uploads folder, whatever the row says.
    files = Path(runtime.settings.files_dir).resolve()
    path = Path(doc.storage_path).resolve()
    if not path.is_relative_to(files) or not path.is_file():
        return _missing(console, NO_FILE)
    await lookups.record_case_opened(
        session, app, staff_id=console.staff.id, at=runtime.clock.now(), document=doc.id
    )
    return FileResponse(
        path,
        media_type=doc.content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(doc.file_name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


NO_NOTICE = N_("This case has no such notice.")


@router.get("/cases/{application_id}/notices/{notice_id}/proof")
async def notice_proof_file(
    application_id: str,
    notice_id: str,
    console: ConsoleDep,
    session: SessionDep,
    env: EnvDep,
    format: staff_notices.ProofFormat = "pdf",
) -> Response:
    """The proof of notice (gateway/staff/notices.py), downloaded from the case's timeline."""
    if not staff_notices.may_read_proof(console.staff):
        raise NotAllowed(Action.VIEW_CASES)
    app = await _case(session, application_id)
    if app is None:
        return _missing(console)
    try:
        found = await notice_proof.notice_proof(session, _case_id(notice_id) or 0, now=env.now())
    except NotFound:
        return _missing(console, NO_NOTICE)
    if found.notice.application_id != app.id:
        return _missing(console, NO_NOTICE)
    return await staff_notices.proof_download(
        session, env, console.staff, found, format=format, lang=console.locale
    )
