"""A case's next lawful actions as forms, and the routes that take them.

`casework.steps.procedure.next_actions` says which steps are lawful now, which from a later day
(the first one) and which are blocked (the rules). The panel (templates/case_actions.html) shows a
form for each step lawful now that the member's role may take, the later ones disabled with the
rule in words and their first lawful day, and the blocked ones with the reason. The case page
includes the panel with `app` and `console` in scope; it is drawn from `case_actions(console, app)`,
a template global set here.

Each `POST /console/cases/{id}/{step}` checks the role (the same table as the JSON API:
`casework.law.roles.STEP_ACTION`), reads the form, and calls the one casework step the JSON
endpoint calls, inside a savepoint: a refused step changes nothing. Success goes back to the case
page (303) with a message; a refusal shows the actions again with the error as a sentence
(`errors.explain`) and everything that was typed, answered 409 or 422 as the JSON API would.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from casework.law.errors import DomainError, NotFound
from casework.law.procedure import SERVES, Blocked, Step
from casework.law.roles import STEP_ACTION, Action
from casework.law.rules import (
    TERMINATION_RULES,
    HearingMode,
    Periodicity,
    RefusalGround,
    TerminationGround,
)
from casework.law.status import Status
from casework.steps import commission, decisions, hearings, intake, rows, termination
from casework.steps.case_file import CASE_LOADS, load_application
from casework.steps.procedure import next_actions
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.texts.i18n import N_, day_and_time, format_day, format_tenge
from casework.texts.labels import label
from casework.texts.storable import is_storable
from gateway.console.errors import blocked_sentence, explain
from gateway.console.web import Console, ConsoleDep, FormDep, see_other, templates
from gateway.staff.deps import RuntimeDep, SessionDep
from gateway.staff.errors import http_status

router = APIRouter()

Form = ImmutableMultiDict[str, Any]  # a posted form, or a query string

# Two acts that are not steps of the procedure's table but move a case all the same: the
# applicant read the hearing protocol at the office (the remarks window starts), and the
# completeness check of a filing taken in by the JSON API without it.
PROTOCOL_READ = "protocol_read"
COMPLETENESS = "completeness"


# ---------------------------------------------------------------- reading a form


class Problem(Exception):
    """What was typed cannot be used: the sentence to show (a message id) and the field."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.params = params


TEXT_MAX = 10_000
BAD_CHARACTERS = N_("The text has a character that cannot be saved. Retype it, please.")
TOO_LONG = N_("The text is too long: at most {limit} characters.")
MONEY_FORMAT = N_("Write the amount in tenge with digits, for example 85000 or 85 000,50.")
DAY_FORMAT = N_("Choose the date in the calendar or write it as DD.MM.YYYY.")
TIME_FORMAT = N_("Write the time as HH:MM, for example 10:30.")

_MONEY = re.compile(r"\d{1,12}(?:[.,]\d{1,2})?")
_MONEY_NOISE = re.compile(r"[\s\u00a0\u202f'₸]|тг\.?$|тенге$", re.IGNORECASE)
_DOTTED_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def form_text(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def checked_text(field: str, text: str, *, limit: int = TEXT_MAX) -> str:
    if len(text) > limit:
        raise Problem(field, TOO_LONG, limit=limit)
    if not is_storable(text):
        raise Problem(field, BAD_CHARACTERS)
    return text


def required_text(form: Form, field: str, missing: str, *, limit: int = TEXT_MAX) -> str:
    text = form_text(form, field)
    if not text:
        raise Problem(field, missing)
    return checked_text(field, text, limit=limit)


def optional_text(form: Form, field: str, *, limit: int = TEXT_MAX) -> str | None:
    text = form_text(form, field)
    return checked_text(field, text, limit=limit) if text else None


def parse_money(raw: str) -> Decimal | None:
    """Tenge as a clerk types them: "85000", "85 000", "85 000,50", "85000.5 ₸"; None if not."""
    text = _MONEY_NOISE.sub("", raw.strip())
    if not _MONEY.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def typed_money(amount: Decimal) -> str:
    """An amount as a clerk would type it: 120000, 85000.5."""
    return f"{amount.normalize():f}" if amount == amount.to_integral() else f"{amount:f}"


def parse_day(raw: str) -> date | None:
    """A day from a date field (2026-11-20) or as typed (20.11.2026); None if not a day."""
    raw = raw.strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    found = _DOTTED_DAY.fullmatch(raw)
    if found is None:
        return None
    try:
        return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        return None


def parse_time(raw: str) -> time | None:
    found = _TIME.fullmatch(raw.strip())
    if found is None:
        return None
    try:
        return time(int(found[1]), int(found[2]))
    except ValueError:
        return None


def required_day(form: Form, field: str, missing: str) -> date:
    raw = form_text(form, field)
    if not raw:
        raise Problem(field, missing)
    day = parse_day(raw)
    if day is None:
        raise Problem(field, DAY_FORMAT)
    return day


def optional_day(form: Form, field: str) -> date | None:
    raw = form_text(form, field)
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        raise Problem(field, DAY_FORMAT)
    return day


def required_time(form: Form, field: str, missing: str) -> time:
    raw = form_text(form, field)
    if not raw:
        raise Problem(field, missing)
    found = parse_time(raw)
    if found is None:
        raise Problem(field, TIME_FORMAT)
    return found


E = TypeVar("E", HearingMode, Periodicity, TerminationGround)


def one_of(form: Form, field: str, enum: type[E], missing: str) -> E:
    try:
        return enum(form_text(form, field))
    except ValueError:
        raise Problem(field, missing) from None


def some_of(form: Form, field: str, missing: str) -> list[RefusalGround]:
    picked: list[RefusalGround] = []
    for value in form.getlist(field):
        try:
            ground = RefusalGround(value if isinstance(value, str) else "")
        except ValueError:
            raise Problem(field, missing) from None
        if ground not in picked:
            picked.append(ground)
    if not picked:
        raise Problem(field, missing)
    return picked


# ---------------------------------------------------------------- each step: its form, its call


@dataclass(frozen=True)
class Call:
    """One step on one locked case, by this member."""

    session: AsyncSession
    env: CaseEnv
    app: Application
    actor: str


Values = dict[str, Any]
Parse = Callable[[Form, CaseEnv], Values]
Run = Callable[[Call, Values], Awaitable[object]]


@dataclass(frozen=True)
class Spec:
    key: str
    action: Action
    title: str  # the heading and the button
    done: str  # the message after it is done
    parse: Parse
    run: Run


def _nothing(form: Form, env: CaseEnv) -> Values:
    return {}


def _text(missing: str) -> Parse:
    def parse(form: Form, env: CaseEnv) -> Values:
        return {"text": required_text(form, "text", missing)}

    return parse


INCOME_ROW_NAME = N_("Row {row}: write the family member's full name.")
INCOME_ROW_AMOUNT = N_(
    "Row {row}: write the monthly income in tenge with digits, for example 85000, or 0 if none."
)
INCOME_NONE = N_("Write at least one family member with their monthly income.")


def family_rows(form: Form, field: str = "member") -> list[tuple[str, Decimal]]:
    """The family table: rows with a name or an income; each needs both (0 for no income)."""
    names = [v.strip() if isinstance(v, str) else "" for v in form.getlist(f"{field}_name")]
    incomes = [v.strip() if isinstance(v, str) else "" for v in form.getlist(f"{field}_income")]
    members: list[tuple[str, Decimal]] = []
    for row in range(max(len(names), len(incomes))):
        name = names[row] if row < len(names) else ""
        raw = incomes[row] if row < len(incomes) else ""
        if not name and not raw:
            continue
        if not name:
            raise Problem(f"{field}_name", INCOME_ROW_NAME, row=row + 1)
        checked_text(f"{field}_name", name, limit=300)
        income = parse_money(raw)
        if income is None:
            raise Problem(f"{field}_income", INCOME_ROW_AMOUNT, row=row + 1)
        members.append((name, income))
    return members


def _incomes(form: Form, env: CaseEnv) -> Values:
    members = family_rows(form)
    if not members:
        raise Problem("member_name", INCOME_NONE, row=1)
    return {"members": members}


HEARING_DAY = N_("Choose the day of the hearing.")
HEARING_TIME = N_("Give the time of the hearing.")
HEARING_MODE = N_("Choose how the hearing is held.")
HEARING_LINK = N_("Give the videoconference link or the information system of the hearing.")
REFUSAL_GROUNDS = N_("Tick at least one refusal ground.")


def _hearing_at(form: Form, env: CaseEnv) -> datetime:
    day = required_day(form, "hearing_date", HEARING_DAY)
    at = required_time(form, "hearing_time", HEARING_TIME)
    return datetime.combine(day, at, tzinfo=env.calendar.tz)


def _preliminary_refusal(form: Form, env: CaseEnv) -> Values:
    grounds = some_of(form, "grounds", REFUSAL_GROUNDS)
    at = _hearing_at(form, env)
    mode = one_of(form, "mode", HearingMode, HEARING_MODE)
    details = optional_text(form, "details", limit=1000)
    if mode is not HearingMode.OTHER and not details:
        raise Problem("details", HEARING_LINK)
    return {"grounds": grounds, "scheduled_at": at, "mode": mode, "details": details}


def _reschedule(form: Form, env: CaseEnv) -> Values:
    return {"scheduled_at": _hearing_at(form, env)}


OBJECTION_HOW = N_("Choose whether the objection is oral or written.")
OBJECTION_TEXT = N_("Write the text of the written objection.")


def _objection(form: Form, env: CaseEnv) -> Values:
    how = form_text(form, "oral")
    if how not in ("yes", "no"):
        raise Problem("oral", OBJECTION_HOW)
    text = optional_text(form, "text")
    if how == "no" and not text:
        raise Problem("text", OBJECTION_TEXT)
    return {"oral": how == "yes", "text": text}


GRANT_KIND = N_("Choose the kind of assistance.")
GRANT_AMOUNT = N_("Write the amount of one payment in tenge.")
GRANT_PERIODICITY = N_("Choose how often it is paid.")
GRANT_PAID = N_("This kind of assistance is paid: {allowed}.")


def _grant(form: Form, env: CaseEnv) -> Values:
    code = form_text(form, "kind")
    kinds = {k.code: k for k in env.district.assistance}
    if code not in kinds:
        raise Problem("kind", GRANT_KIND)
    raw = form_text(form, "amount")
    if not raw:
        raise Problem("amount", GRANT_AMOUNT)
    amount = parse_money(raw)
    if amount is None:
        raise Problem("amount", MONEY_FORMAT)
    periodicity = one_of(form, "periodicity", Periodicity, GRANT_PERIODICITY)
    allowed = kinds[code].periodicity
    if periodicity not in allowed:
        raise Problem("periodicity", GRANT_PAID, allowed=[p.value for p in allowed])
    return {
        "kind": code,
        "amount": amount,
        "periodicity": periodicity,
        "starts_on": optional_day(form, "starts_on"),
        "over_budget_confirmed": form_text(form, "over_budget_confirmed") == "yes",
    }


def _refuse(form: Form, env: CaseEnv) -> Values:
    return {"grounds": some_of(form, "grounds", REFUSAL_GROUNDS)}


TERMINATION_GROUND = N_("Choose the ground for terminating assistance.")
TERMINATION_BEGAN = N_("Give the day the circumstance began.")
TERMINATION_FOUND = N_("Give the day the department learnt of it.")
TERMINATION_ORDER = N_(
    "The circumstance begins no later than the day the department learnt of it, and that day "
    "is not after today."
)


def _terminate(form: Form, env: CaseEnv) -> Values:
    ground = one_of(form, "ground", TerminationGround, TERMINATION_GROUND)
    began = required_day(form, "began_on", TERMINATION_BEGAN)
    found = required_day(form, "found_on", TERMINATION_FOUND)
    if not began <= found <= env.today():
        raise Problem("began_on", TERMINATION_ORDER)
    return {"ground": ground, "began_on": began, "found_on": found}


async def _read_protocol(c: Call, v: Values) -> object:
    # The applicant's own act, as the JSON API records it: no staff actor.
    return await hearings.read_protocol(c.session, c.env, c.app)


def _spec(
    step: Step | str,
    title: str,
    done: str,
    run: Run,
    parse: Parse = _nothing,
    action: Action | None = None,
) -> Spec:
    key = step.value if isinstance(step, Step) else step
    chosen = action if action is not None else STEP_ACTION[Step(key)]
    return Spec(key, chosen, title, done, parse, run)


S = Step
SPECS: dict[str, Spec] = {
    s.key: s
    for s in (
        _spec(
            COMPLETENESS,
            N_("Check the documents"),
            N_("The documents are checked."),
            lambda c, v: intake.check_completeness(c.session, c.env, c.app, actor=c.actor),
            action=Action.TAKE_IN,
        ),
        _spec(
            S.REGISTER,
            N_("Register the application"),
            N_("The application is registered."),
            lambda c, v: intake.register(c.session, c.env, c.app, actor=c.actor),
        ),
        _spec(
            S.FORWARD_TO_PRECINCT,
            N_("Send to the precinct commission"),
            N_("The documents are sent to the precinct commission."),
            lambda c, v: commission.forward_to_precinct(c.session, c.env, c.app, actor=c.actor),
        ),
        _spec(
            S.RECORD_INSPECTION,
            N_("Record the inspection result"),
            N_("The inspection result is recorded."),
            lambda c, v: commission.record_inspection(
                c.session, c.env, c.app, v["text"], actor=c.actor
            ),
            _text(N_("Write the result of the inspection.")),
        ),
        _spec(
            S.RECORD_INCOMES,
            N_("Record the family members' incomes"),
            N_("The incomes are recorded and the per-capita income is computed."),
            lambda c, v: commission.record_incomes(
                c.session, c.env, c.app, v["members"], actor=c.actor
            ),
            _incomes,
        ),
        _spec(
            S.TO_SPECIAL_COMMISSION,
            N_("Submit to the special commission"),
            N_("The case is submitted to the special commission."),
            lambda c, v: commission.to_special_commission(c.session, c.env, c.app, actor=c.actor),
        ),
        _spec(
            S.RECORD_CONCLUSION,
            N_("Record the special commission's conclusion"),
            N_("The special commission's conclusion is recorded."),
            lambda c, v: commission.record_conclusion(
                c.session, c.env, c.app, v["text"], actor=c.actor
            ),
            _text(N_("Write the special commission's conclusion.")),
        ),
        _spec(
            S.EXTEND,
            N_("Extend the decision term"),
            N_("The decision term is extended."),
            lambda c, v: commission.extend(c.session, c.env, c.app, v["text"], actor=c.actor),
            _text(N_("Write why the term is extended.")),
        ),
        _spec(
            S.PRELIMINARY_REFUSAL,
            N_("Issue a preliminary refusal and set a hearing"),
            N_("The preliminary refusal is issued; the applicant is notified of the hearing."),
            lambda c, v: hearings.issue_preliminary_refusal(
                c.session, c.env, c.app, **v, actor=c.actor
            ),
            _preliminary_refusal,
        ),
        _spec(
            S.RESCHEDULE_HEARING,
            N_("Move the hearing to another time"),
            N_("The hearing is moved; the applicant is invited again."),
            lambda c, v: hearings.reschedule_hearing(c.session, c.env, c.app, **v, actor=c.actor),
            _reschedule,
        ),
        _spec(
            S.RECORD_OBJECTION,
            N_("Record the applicant's objection"),
            N_("The objection is recorded."),
            lambda c, v: hearings.object_to_refusal(
                c.session, c.env, c.app, **v, via="office", actor=c.actor
            ),
            _objection,
        ),
        _spec(
            S.HOLD_HEARING,
            N_("Record that the hearing was held"),
            N_("The hearing is recorded as held."),
            lambda c, v: hearings.hold_hearing(c.session, c.env, c.app, actor=c.actor),
        ),
        _spec(
            S.MAKE_PROTOCOL,
            N_("Make the hearing protocol"),
            N_("The hearing protocol is made."),
            lambda c, v: hearings.make_protocol(c.session, c.env, c.app, v["text"], actor=c.actor),
            _text(N_("Write the text of the protocol.")),
        ),
        _spec(
            PROTOCOL_READ,
            N_("Record that the applicant has read the protocol"),
            N_("Recorded: the applicant has read the protocol; 3 working days for remarks run."),
            _read_protocol,
            action=Action.HEARING,
        ),
        _spec(
            S.RECORD_REMARKS,
            N_("Record the applicant's remarks on the protocol"),
            N_("The remarks on the protocol are recorded."),
            lambda c, v: hearings.submit_remarks(c.session, c.env, c.app, v["text"], actor=c.actor),
            _text(N_("Write the applicant's remarks.")),
        ),
        _spec(
            S.GRANT,
            N_("Grant assistance"),
            N_("Assistance is granted; the applicant will be notified."),
            lambda c, v: decisions.grant(c.session, c.env, c.app, **v, actor=c.actor),
            _grant,
        ),
        _spec(
            S.REFUSE,
            N_("Refuse assistance"),
            N_("Assistance is refused; the applicant will be notified."),
            lambda c, v: decisions.refuse(c.session, c.env, c.app, **v, actor=c.actor),
            _refuse,
        ),
        _spec(
            S.TERMINATE,
            N_("Terminate assistance"),
            N_("Assistance is terminated; the applicant will be notified."),
            lambda c, v: termination.terminate(c.session, c.env, c.app, **v, actor=c.actor),
            _terminate,
        ),
    )
}


# ---------------------------------------------------------------- the panel


@dataclass
class Item:
    """One action as the panel shows it, with what its form needs."""

    key: str
    title: str
    term: str | None = None
    due_on: date | None = None
    lawful_from: date | None = None
    reasons: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    picked: dict[str, list[str]] = field(default_factory=dict)
    rows: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    hint: str | None = None
    error: str | None = None
    invalid: str | None = None


@dataclass
class Panel:
    app_id: int
    now: list[Item]
    later: list[Item]
    blocked: list[Item]
    others: list[str]  # steps lawful now that other roles take
    done: str | None = None
    error: str | None = None  # a refused step that has no form here (lawful later, or blocked)


@dataclass(frozen=True)
class Typed:
    """A refused form: which one, what was typed, the sentence, the field to look at."""

    key: str
    form: dict[str, list[str]]
    error: str
    invalid: str | None = None


def _typed_form(form: Form) -> dict[str, list[str]]:
    return {
        name: [v for v in form.getlist(name) if isinstance(v, str)]
        for name in form
        if name != "csrf"
    }


def _choices(console: Console, app: Application, env: CaseEnv, key: str) -> dict[str, Any]:
    loc = console.locale
    if key in (S.PRELIMINARY_REFUSAL, S.REFUSE):
        return {
            "grounds": [(g.value, label(g, loc)) for g in RefusalGround],
            "mode": [(m.value, label(m, loc)) for m in HearingMode],
        }
    if key == S.GRANT:
        year = env.today().year
        kinds = [
            k for k in env.district.assistance if app.ground is None or app.ground in k.grounds
        ]
        periods = [p for p in Periodicity if any(p in k.periodicity for k in kinds)]
        return {
            "kind": [
                (
                    k.code,
                    console.t(
                        "{name}: up to {amount} per payment",
                        name=getattr(k.name, loc),
                        amount=format_tenge(env.district.ceiling(k.code, year), loc),
                    ),
                )
                for k in kinds
            ],
            "periodicity": [(p.value, label(p, loc)) for p in periods],
        }
    if key == S.TERMINATE:
        grounds = [g for g in TerminationGround if app.ground not in TERMINATION_RULES[g].not_for]
        return {"ground": [(g.value, label(g, loc)) for g in grounds]}
    return {}


def _form_of(
    console: Console, app: Application, env: CaseEnv, item: Item, typed: Typed | None
) -> None:
    """Fill the item's form: what the case already knows, or what was typed if it was refused."""
    key = item.key
    item.choices = _choices(console, app, env, key)
    hearing = app.latest_hearing
    if key == S.RECORD_INSPECTION:
        item.values["text"] = app.inspection_result or ""
    elif key == S.RECORD_CONCLUSION:
        item.values["text"] = app.commission_conclusion or ""
    elif key == S.RECORD_INCOMES:
        rows = [(m.full_name, typed_money(m.monthly_income)) for m in app.family]
        item.rows = rows or [(app.applicant.full_name, "")]
        threshold = env.district.income_threshold((app.registered_on or env.today()).year)
        item.hint = console.t(
            "The threshold of per-capita income: {amount}.",
            amount=format_tenge(threshold, console.locale),
        )
    elif key == S.PRELIMINARY_REFUSAL:
        per_capita, limit = app.per_capita_income, app.income_threshold
        if per_capita is not None and limit is not None and per_capita > limit:
            item.picked["grounds"] = [RefusalGround.INCOME_ABOVE_THRESHOLD.value]
    elif key == S.REFUSE and hearing is not None:
        item.picked["grounds"] = list(hearing.refusal_grounds)
    elif key == S.RECORD_OBJECTION:
        item.values["oral"] = "yes"
    elif key == S.TERMINATE:
        item.values["found_on"] = env.today().isoformat()
    elif key in (S.HOLD_HEARING, S.RESCHEDULE_HEARING) and hearing is not None:
        day, at = day_and_time(hearing.scheduled_at, env.calendar.tz)
        item.hint = console.t(
            "The hearing is set for {date}, {time}.",
            date=format_day(day, console.locale),
            time=at,
        )
    if typed is None or typed.key != key:
        return
    item.error = typed.error
    item.invalid = typed.invalid
    item.values = {name: values[-1] for name, values in typed.form.items() if values}
    item.picked = {name: values for name, values in typed.form.items()}
    names, incomes = typed.form.get("member_name", []), typed.form.get("member_income", [])
    if key == S.RECORD_INCOMES:
        count = max(len(names), len(incomes))
        item.rows = [
            (names[i] if i < len(names) else "", incomes[i] if i < len(incomes) else "")
            for i in range(count)
        ]


BLANK_ROWS = 2
_STEPS = frozenset(s.value for s in Step)


def build_panel(
    console: Console,
    app: Application,
    env: CaseEnv,
    *,
    typed: Typed | None = None,
    done: str | None = None,
) -> Panel:
    """The case's next actions as this member may take them."""
    found = next_actions(env, app)
    now_keys: list[str] = []
    if app.status is Status.SUBMITTED:
        now_keys.append(COMPLETENESS)
    # The steps in the procedure's order; extending the term, an exception, comes last.
    now_keys += sorted((s.value for s in found.now), key=lambda k: k == S.EXTEND)
    hearing = app.latest_hearing
    protocol = hearing.protocol if hearing is not None else None
    if app.status is Status.PROTOCOL_MADE and protocol is not None and protocol.read_at is None:
        at = now_keys.index(S.RECORD_REMARKS) if S.RECORD_REMARKS in now_keys else len(now_keys)
        now_keys.insert(at, PROTOCOL_READ)
    mine = [k for k in now_keys if console.may(SPECS[k].action)]
    panel = Panel(
        app_id=app.id,
        now=[],
        later=[],
        blocked=[],
        others=[console.t(SPECS[k].title) for k in now_keys if k not in mine],
        done=console.t(SPECS[done].done) if done in SPECS else None,
        error=typed.error if typed is not None and typed.key not in mine else None,
    )
    for key in mine:
        item = _item(console, app, key)
        _form_of(console, app, env, item, typed)
        if key == S.RECORD_INCOMES:
            item.rows = item.rows + [("", "")] * BLANK_ROWS
        panel.now.append(item)
    for step, day, reasons in found.later:
        if console.may(STEP_ACTION[step]):
            item = _item(console, app, step.value, reasons)
            item.lawful_from = day
            panel.later.append(item)
    for step, reasons in found.blocked:
        if console.may(STEP_ACTION[step]):
            panel.blocked.append(_item(console, app, step.value, reasons))
    return panel


def _item(
    console: Console, app: Application, key: str, reasons: list[Blocked] | tuple[()] = ()
) -> Item:
    term = SERVES.get(Step(key)) if key in _STEPS else None
    return Item(
        key=key,
        title=console.t(SPECS[key].title),
        term=label(term, console.locale) if term is not None else None,
        due_on=app.deadline(term) if term is not None else None,
        reasons=[blocked_sentence(r, console.locale, step=key) for r in reasons],
    )


def _current_env(request: Request) -> CaseEnv | None:
    """The runtime's environment as this request's page loaded it (None before any page did)."""
    runtime = request.app.state.runtime
    env: CaseEnv | None = getattr(runtime, "_env", None)
    return env


def case_actions(console: Console, app: Application, env: CaseEnv | None = None) -> Panel | None:
    """For the case page: the panel, with the message of the step just done (`?done=`); None
    when the calendar has not been read yet (the panel then loads itself, see the template)."""
    env = env or _current_env(console.request)
    if env is None:
        return None
    return build_panel(console, app, env, done=console.request.query_params.get("done"))


templates.env.globals["case_actions"] = case_actions


# ---------------------------------------------------------------- the routes


async def _fresh_case(session: AsyncSession, application_id: int) -> Application:
    """The case as stored now (after a refused step was rolled back)."""
    ids = {"what": "application", "key": "application_id"}
    rows.check_id(application_id, **ids)
    stmt = (
        select(Application)
        .where(Application.id == application_id)
        .options(*CASE_LOADS)
        .execution_options(populate_existing=True)
    )
    app = (await session.scalars(stmt)).one_or_none()
    if app is None:
        raise rows.not_found(application_id, **ids)
    return app


def _page(
    console: Console,
    app: Application,
    env: CaseEnv,
    status_code: int = 200,
    *,
    typed: Typed | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return console.page(
        "_action_page.html",
        status_code,
        app=app,
        panel=build_panel(console, app, env, typed=typed, done=done),
        status_label=label(app.status, console.locale),
        ground_label=label(app.ground, console.locale) if app.ground else None,
    )


def _not_found(console: Console) -> HTMLResponse:
    return console.page(
        "error.html", 404, message=N_("There is no such case or record. Check the number.")
    )


def case_number(raw: str) -> int | None:
    """A case number from the address; anything else names no case (a page, not a crash)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        return None
    number = int(raw)
    return number if 0 < number <= rows.ID_MAX else None


@router.get("/cases/{application_id}/actions", response_class=HTMLResponse)
async def actions_page(
    application_id: str, console: ConsoleDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The actions alone: where a refused form comes back, and the panel without scripts."""
    console.require(Action.VIEW_CASES)
    number = case_number(application_id)
    if number is None:
        return _not_found(console)
    env = await runtime.env(session)
    try:
        app = await load_application(session, number)
    except NotFound:
        return _not_found(console)
    return _page(console, app, env, done=console.request.query_params.get("done"))


@router.post("/cases/{application_id}/{key}", response_class=HTMLResponse)
async def take_action(
    application_id: str, key: str, console: FormDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    spec = SPECS.get(key)
    if spec is None:
        return _not_found(console)
    console.require(spec.action)  # before the case is even looked up, as the JSON API does
    number = case_number(application_id)
    if number is None:
        return _not_found(console)
    form = await console.request.form()
    env = await runtime.env(session)
    try:
        values = spec.parse(form, env)
    except Problem as problem:
        params = dict(problem.params)
        allowed = params.get("allowed")
        if isinstance(allowed, list):
            params["allowed"] = ", ".join(label(Periodicity(p), console.locale) for p in allowed)
        sentence = console.t(problem.message, **params)
        field = problem.field if "row" not in params else f"{problem.field}:{params['row']}"
        typed = Typed(key, _typed_form(form), sentence, field)
        return await _refused(console, session, env, number, 422, typed)
    try:
        async with session.begin_nested():  # a refused step leaves nothing behind
            app = await load_application(session, number, for_update=True)
            await spec.run(Call(session, env, app, console.staff.name), values)
    except NotFound:
        return _not_found(console)
    except DomainError as exc:
        typed = Typed(key, _typed_form(form), explain(exc, console.locale), _field_of(exc))
        return await _refused(console, session, env, number, http_status(exc), typed)
    return see_other(f"/console/cases/{number}?done={key}#actions")


def _field_of(exc: DomainError) -> str | None:
    if exc.code == "over_budget":
        return "over_budget_confirmed"
    if "ceiling" in exc.params:
        return "amount"
    return None


async def _refused(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    application_id: int,
    status_code: int,
    typed: Typed,
) -> Response:
    try:
        app = await _fresh_case(session, application_id)
    except NotFound:
        return _not_found(console)
    return _page(console, app, env, status_code, typed=typed)
