"""Paper intake: an application handed in at the office, the akim or the State Corporation
(SR §2, §6), taken in with the document checklist of its ground, ending in the printed
acceptance receipt or the receipt of refusal to accept.

The intake channel follows from the member's role (`casework.law.roles.INTAKE_CHANNEL`), as in
`POST /staff/applications`; the console calls the same steps: `intake.take_in_paper`, then
`intake.check_completeness` (the JSON API's `/completeness`). The receipt is printed in the
applicant's language from the browser, and as the notice's PDF (gateway/printing.py) once the
notice exists: the refusal-to-accept notice at once, the acceptance receipt at registration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from casework.law.errors import DomainError, NotFound
from casework.law.iban import InvalidIBAN, validate_kz_iban
from casework.law.identity import InvalidIIN, InvalidPhone, normalize_phone, validate_iin
from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.roles import INTAKE_CHANNEL, Action
from casework.law.rules import DocumentKind, Filer, Ground, required_documents
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import delivery, intake
from casework.steps.case_file import load_application
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.texts.i18n import LOCALES, N_, day_and_time, format_day, gettext
from casework.texts.labels import label
from casework.texts.payments import iban_problem
from gateway import printing
from gateway.console.actions import (
    DAY_FORMAT,
    Form,
    Problem,
    case_number,
    checked_text,
    family_rows,
    form_text,
    parse_day,
)
from gateway.console.errors import explain
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import RuntimeDep, SessionDep
from gateway.staff.errors import http_status

router = APIRouter()

# What the clerk is told about a field that cannot be used, by field.
IIN_PROBLEMS = {
    "format": N_("The IIN has 12 digits."),
    "date": N_("These digits are not an IIN: its first six digits are not a date of birth."),
    "century": N_("These digits are not an IIN: its seventh digit must be from 1 to 6."),
    "checksum": N_(
        "The IIN has a mistake: its check digit does not match. Compare it with the identity card."
    ),
}
MISSING = {
    "iin": N_("Write the applicant's IIN."),
    "last_name": N_("Write the applicant's surname."),
    "first_name": N_("Write the applicant's first name."),
    "ground": N_("Choose the ground of need."),
    "representative_name": N_("Write the representative's full name."),
    "represented_iin": N_("Write the IIN of the person represented."),
}
PHONE = N_("Write a Kazakhstan mobile number, for example +7 701 123 45 67.")
NAME_LIMITS = {"last_name": 100, "first_name": 100, "middle_name": 100}
FAMILY_ROWS = 3


@dataclass
class DocRow:
    kind: str
    name: str
    checked: bool = False
    title: str = ""
    valid_until: str = ""


@dataclass
class IntakeForm:
    """The form as shown: what was typed, the checklist of the ground, the problems found."""

    values: dict[str, str] = field(default_factory=dict)
    docs: list[DocRow] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # the domain's answer, as a sentence
    bad_row: int | None = None  # the family table's row with a problem


def checklist(form: Form, locale: str) -> list[DocRow]:
    """The documents the chosen ground needs (DR §13), with what is ticked and typed for each."""
    try:
        ground = Ground(form_text(form, "ground"))
    except ValueError:
        return []
    try:
        filer = Filer(form_text(form, "filer") or Filer.SELF)
    except ValueError:
        filer = Filer.SELF
    return [
        DocRow(
            kind=kind.value,
            name=label(kind, locale),
            checked=form_text(form, f"doc_{kind.value}") == "yes",
            title=form_text(form, f"title_{kind.value}"),
            valid_until=form_text(form, f"valid_{kind.value}"),
        )
        for kind in required_documents(ground, filer)
    ]


def _state(form: Form, locale: str, *, more_rows: bool = False) -> IntakeForm:
    names = [v for v in form.getlist("member_name") if isinstance(v, str)]
    incomes = [v for v in form.getlist("member_income") if isinstance(v, str)]
    rows = [
        (names[i] if i < len(names) else "", incomes[i] if i < len(incomes) else "")
        for i in range(max(len(names), len(incomes)))
    ]
    while rows and not (rows[-1][0].strip() or rows[-1][1].strip()):  # rows keep their numbers
        rows.pop()
    blanks = max(FAMILY_ROWS - len(rows), 1) + (FAMILY_ROWS if more_rows else 0)
    rows += [("", "")] * blanks
    values = {
        name: form_text(form, name)
        for name in form
        if name != "csrf" and not name.startswith(("member_", "doc_", "title_", "valid_"))
    }
    values.setdefault("filer", Filer.SELF.value)
    values.setdefault("locale", locale)
    return IntakeForm(values=values, docs=checklist(form, locale), rows=rows)


def _iin(form: Form, name: str, errors: dict[str, str], locale: str) -> str | None:
    raw = form_text(form, name)
    if not raw:
        errors[name] = gettext(locale, MISSING[name])
        return None
    try:
        return validate_iin(raw)
    except InvalidIIN as exc:
        errors[name] = gettext(locale, IIN_PROBLEMS[exc.reason])
        return None


def _paper(form: Form, state: IntakeForm, locale: str) -> intake.PaperApplication | None:
    """The application as typed, or None with every problem in `state.errors`."""
    errors = state.errors

    def text(name: str, limit: int, *, required: bool = False) -> str | None:
        value = form_text(form, name)
        if not value:
            if required:
                errors[name] = gettext(locale, MISSING[name])
            return None
        try:
            return checked_text(name, value, limit=limit)
        except Problem as p:
            errors[name] = gettext(locale, p.message, **p.params)
            return None

    iin = _iin(form, "iin", errors, locale)
    last_name = text("last_name", 100, required=True)
    first_name = text("first_name", 100, required=True)
    middle_name = text("middle_name", 100)
    phone = None
    if raw_phone := form_text(form, "phone"):
        try:
            phone = normalize_phone(raw_phone)
        except InvalidPhone:
            errors["phone"] = gettext(locale, PHONE)
    ground = None
    try:
        ground = Ground(form_text(form, "ground"))
    except ValueError:
        errors["ground"] = gettext(locale, MISSING["ground"])
    try:
        filer = Filer(form_text(form, "filer") or Filer.SELF)
    except ValueError:
        filer = Filer.SELF
    representative_name = represented_iin = None
    if filer is Filer.REPRESENTATIVE:
        representative_name = text("representative_name", 200, required=True)
        represented_iin = _iin(form, "represented_iin", errors, locale)
    settlement = text("settlement", 200)
    address = text("address", 300)
    family: list[tuple[str, Decimal]] = []
    try:
        family = family_rows(form)
    except Problem as p:
        errors[p.field] = gettext(locale, p.message, **p.params)
        row = p.params.get("row")
        state.bad_row = row if isinstance(row, int) else None
    documents = []
    for doc in state.docs:
        if not doc.checked:
            continue
        valid_until = None
        if doc.valid_until:
            valid_until = parse_day(doc.valid_until)
            if valid_until is None:
                errors[f"valid_{doc.kind}"] = f"{doc.name}: {gettext(locale, DAY_FORMAT)}"
        title = doc.title or doc.name
        try:
            checked_text(f"title_{doc.kind}", title, limit=255)
        except Problem as p:
            errors[f"title_{doc.kind}"] = gettext(locale, p.message, **p.params)
        documents.append(intake.PaperDocument(DocumentKind(doc.kind), title, valid_until))
    iban = None
    if raw_iban := form_text(form, "iban"):
        try:
            iban = validate_kz_iban(raw_iban).iban
        except InvalidIBAN as exc:
            errors["iban"] = iban_problem(exc.reason, locale)
    if errors or iin is None or ground is None or not last_name or not first_name:
        return None
    language = form_text(form, "locale")
    return intake.PaperApplication(
        iin=iin,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        locale=language if language in LOCALES else "kk",
        phone=phone,
        ground=ground,
        filer=filer,
        representative_name=representative_name,
        represented_iin=represented_iin,
        settlement=settlement,
        address=address,
        family=family,
        documents=documents,
        iban=iban,
    )


def _page(console: Console, state: IntakeForm, status_code: int = 200) -> HTMLResponse:
    role = console.staff.role
    channel = INTAKE_CHANNEL.get(role)
    loc = console.locale
    return console.page(
        "intake.html",
        status_code,
        form=state,
        channel=label(channel, loc) if channel is not None else None,
        grounds=[(g.value, label(g, loc)) for g in Ground],
        filers=[(f.value, label(f, loc)) for f in Filer],
    )


@router.get("/intake", response_class=HTMLResponse)
async def intake_form(console: ConsoleDep) -> Response:
    console.require(Action.TAKE_IN)
    return _page(console, _state(ImmutableMultiDict(), console.locale))


@router.get("/intake/checklist", response_class=HTMLResponse)
async def intake_checklist(console: ConsoleDep) -> Response:
    """The checklist of the chosen ground (htmx swaps it in when the ground or filer changes)."""
    console.require(Action.TAKE_IN)
    state = _state(console.request.query_params, console.locale)
    return console.page("_intake_checklist.html", form=state)


@router.get("/intake/family-row", response_class=HTMLResponse)
async def intake_family_row(console: ConsoleDep) -> Response:
    """One more empty row of the family table (htmx appends it)."""
    console.require(Action.TAKE_IN)
    n = len(console.request.query_params.getlist("member_name")) + 1
    return console.page("_intake_family_row.html", n=n, name="", income="", form=IntakeForm())


@router.post("/intake", response_class=HTMLResponse)
async def take_in(console: FormDep, session: SessionDep, runtime: RuntimeDep) -> Response:
    console.require(Action.TAKE_IN)
    form = await console.request.form()
    locale = console.locale
    if form_text(form, "refresh") or form_text(form, "more_rows"):  # without scripts
        more = bool(form_text(form, "more_rows"))
        return _page(console, _state(form, locale, more_rows=more))
    state = _state(form, locale)
    paper = _paper(form, state, locale)
    if paper is None:
        return _page(console, state, 422)
    env = await runtime.env(session)
    try:
        async with session.begin_nested():  # nothing is kept of a filing that is refused
            app = await intake.take_in_paper(
                session, env, paper, role=console.staff.role, actor=console.staff.name
            )
            await intake.check_completeness(session, env, app, actor=console.staff.name)
    except DomainError as exc:
        state.error = explain(exc, locale)
        return _page(console, state, http_status(exc))
    return see_other(f"/console/intake/{app.id}/receipt")


# ---------------------------------------------------------------- the receipt


async def _receipt_notice(session: AsyncSession, app: Application) -> Notice | None:
    """The receipt's notice, if it exists: the refusal to accept, or the acceptance receipt
    written at registration; the printed copy first."""
    kind = (
        NoticeKind.REFUSAL_TO_ACCEPT
        if app.status is Status.REFUSED_TO_ACCEPT
        else NoticeKind.ACCEPTANCE_RECEIPT
    )
    rows = await session.scalars(
        select(Notice)
        .where(Notice.application_id == app.id, Notice.kind == kind)
        .order_by(Notice.id.desc())
    )
    found = list(rows)
    printed = [n for n in found if n.channel is NoticeChannel.PRINT]
    return next(iter(printed or found), None)


def _kinds(values: object, locale: str) -> list[str]:
    names = []
    for value in values if isinstance(values, list) else []:
        try:
            names.append(label(DocumentKind(value), locale))
        except ValueError:
            continue
    return names


async def _receipt_page(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    status_code: int = 200,
    *,
    error: str | None = None,
) -> HTMLResponse:
    notice = await _receipt_notice(session, app)
    applicant_locale = app.applicant.locale if app.applicant.locale in LOCALES else "kk"
    refused = app.status is Status.REFUSED_TO_ACCEPT
    payload = notice.payload if notice is not None else {}
    missing = payload.get("missing") if notice is not None else app.missing_documents
    received_on, received_time = (
        day_and_time(app.received_at, env.calendar.tz) if app.received_at else (None, "")
    )

    def ta(message: str, **params: object) -> str:
        return gettext(applicant_locale, message, **params)

    return console.page(
        "receipt.html",
        status_code,
        app=app,
        refused=refused,
        notice=notice,
        printable=notice is not None and notice.status is NoticeStatus.TO_PRINT,
        missing=_kinds(missing, applicant_locale),
        expired=_kinds(payload.get("expired"), applicant_locale),
        accepted=[
            (label(d.kind, applicant_locale), d.file_name)
            for d in app.documents
            if d.kind is not DocumentKind.OBJECTION_EVIDENCE
        ],
        received_on=received_on,
        received_time=received_time,
        registered_on=app.registered_on,
        registration_day=app.registered_on or app.deadline(Term.REGISTRATION),
        result_by=app.deadline(Term.DECISION),
        ground=label(app.ground, applicant_locale) if app.ground else "",
        channel=label(app.channel, applicant_locale),
        provider=getattr(env.district.provider.name, applicant_locale),
        may_register=app.status is Status.ACCEPTED and console.may(Action.REGISTER),
        may_hand_over=console.may(Action.PRINT_QUEUE),
        handed=console.request.query_params.get("handed") == "1",
        error=error,
        ta=ta,
        day_a=lambda d: format_day(d, applicant_locale) if d else "",
        applicant_locale=applicant_locale,
    )


async def _filed(session: AsyncSession, raw: str) -> Application:
    """The case a receipt is for: taken in and checked (a draft or an unchecked filing has none)."""
    number = case_number(raw)
    if number is None:
        raise NotFound(f"no application {raw!r}", application_id=raw)
    app = await load_application(session, number)
    if app.status in (Status.DRAFT, Status.SUBMITTED):
        raise NotFound(f"application {number} has no receipt yet", application_id=number)
    return app


def _missing_case(console: Console) -> HTMLResponse:
    return console.page(
        "error.html", 404, message=N_("There is no such case or record. Check the number.")
    )


@router.get("/intake/{application_id}/receipt", response_class=HTMLResponse)
async def receipt(
    application_id: str, console: ConsoleDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    console.require(Action.TAKE_IN)
    env = await runtime.env(session)
    try:
        app = await _filed(session, application_id)
    except NotFound:
        return _missing_case(console)
    return await _receipt_page(console, session, env, app)


async def _receipt_of(session: AsyncSession, raw: str) -> tuple[Application, Notice] | None:
    """The filed case an address names and its receipt notice; None if either is missing."""
    try:
        app = await _filed(session, raw)
    except NotFound:
        return None
    notice = await _receipt_notice(session, app)
    return None if notice is None else (app, notice)


@router.get("/intake/{application_id}/receipt.pdf")
async def receipt_pdf(
    application_id: str, console: ConsoleDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The receipt's notice as the print queue prints it (gateway/printing.py)."""
    console.require(Action.TAKE_IN)
    env = await runtime.env(session)
    found = await _receipt_of(session, application_id)
    if found is None:
        return _missing_case(console)
    app, notice = found
    pdf = await printing.notice_pdf(session, env, notice.id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="receipt-{app.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/intake/{application_id}/receipt/handed-over", response_class=HTMLResponse)
async def receipt_handed_over(
    application_id: str, console: FormDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The applicant took the printed receipt at the desk: it leaves the print queue."""
    console.require(Action.PRINT_QUEUE)
    env = await runtime.env(session)
    found = await _receipt_of(session, application_id)
    if found is None:
        return _missing_case(console)
    app, notice = found
    try:
        async with session.begin_nested():
            await delivery.hand_over(session, env, notice.id, actor=console.staff.name)
    except DomainError as exc:
        app = await _filed(session, application_id)
        return await _receipt_page(
            console, session, env, app, http_status(exc), error=explain(exc, console.locale)
        )
    return see_other(f"/console/intake/{app.id}/receipt?handed=1")
