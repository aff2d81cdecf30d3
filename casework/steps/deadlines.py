"""The legal terms kept on each case: computed from its events, met by its steps, moved when the
calendar changes, and the board of which case needs what by when.

Each case also stores its next running term and that term's last day (`Application.next_term`,
`next_due_on`), kept here on every flush that touches the case or its terms: the board, the lookup
and the work queue read a page of them off one index instead of every term row of every case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    event,
    exists,
    false,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from casework.law.rules import Channel, Ground
from casework.law.status import FINAL, Status
from casework.law.terms import (
    LIVE_IN,
    MET_BY,
    ONLY_FOR_CHANNEL,
    TERM_RULES,
    Event,
    Term,
    compute_terms,
)
from casework.steps.case_file import load_application
from casework.system.db import Bound, given
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant, full_name
from casework.tables.applications import Application, Deadline


def case_events(app: Application) -> dict[Event, date | datetime]:
    events: dict[Event, date | datetime] = {}
    if app.received_at:
        events[Event.RECEIVED] = app.received_at
    if app.registered_on:
        events[Event.REGISTERED] = app.registered_on
    if app.inspection_returned_at:
        events[Event.INSPECTION_RETURNED] = app.inspection_returned_at
    hearing = app.latest_hearing
    if hearing is not None and hearing.received_at:
        events[Event.PRELIMINARY_REFUSAL_RECEIVED] = hearing.received_at
    if hearing is not None and hearing.protocol is not None and hearing.protocol.read_at:
        events[Event.PROTOCOL_READ] = hearing.protocol.read_at
    decision = app.latest_decision
    if decision is not None:
        events[Event.DECIDED] = decision.decided_at
    return events


def meet(app: Application, terms: Iterable[Term], at: datetime) -> None:
    """Mark terms met: a met term leaves the deadline board."""
    for row in app.deadlines:
        if row.term in terms and row.met_at is None:
            row.met_at = at


def owed(app: Application, term: Term) -> bool:
    """Is the term one this case's channel has? (SR §15, DR §21: the chat notice is owed only to
    filings through the bot; on any other case it would run forever.)"""
    channel = ONLY_FOR_CHANNEL.get(term)
    return channel is None or app.channel == channel


async def refresh_deadlines(
    session: AsyncSession, env: CaseEnv, app: Application, *, flush: bool = True
) -> None:
    """Recompute every term from the case's events and store them on the case; `flush=False`
    leaves the flush to a caller filing many cases at once."""
    set_terms(env, app)
    if flush:
        await session.flush()


def set_terms(env: CaseEnv, app: Application) -> None:
    """Every term from the case's events, on the case (in memory; a model case too)."""
    terms = compute_terms(
        env.calendar,
        case_events(app),
        extended=app.extended,
        needs_inspection=env.district.inspects(app.ground),
    )
    rows = {row.term: row for row in app.deadlines}
    for term, due in terms.items():
        if term in rows:
            rows[term].due_on = due
        elif owed(app, term):
            app.deadlines.append(Deadline(term=term, due_on=due))
    meet(app, MET_BY.get(app.status, ()), env.now())


async def refresh_open_cases(session: AsyncSession, env: CaseEnv) -> int:
    """A calendar change moves every open case's terms at once (`env` has the new calendar)."""
    ids = await session.scalars(
        select(Application.id).where(Application.status.not_in([*FINAL, Status.DRAFT]))
    )
    count = 0
    for application_id in list(ids):
        app = await load_application(session, application_id, for_update=True)
        await refresh_deadlines(session, env, app)
        count += 1
    return count


# ---------------------------------------------------------------- each case's next term

LAW_ORDER = {rule.term: i for i, rule in enumerate(TERM_RULES)}


def running(app: Application, row: Deadline) -> bool:
    """Unmet, still relevant in the case's state, and owed on its channel."""
    return row.met_at is None and app.status in LIVE_IN.get(row.term, ()) and owed(app, row.term)


def next_of(app: Application) -> Deadline | None:
    """The case's next running term: the earliest last day, ties in the law's order."""
    live = [row for row in app.deadlines if running(app, row)]
    return min(live, key=lambda r: (r.due_on, LAW_ORDER[r.term]), default=None)


def keep_next_term(app: Application) -> None:
    row = next_of(app)
    term, due = (None, None) if row is None else (row.term, row.due_on)
    if app.next_term != term:
        app.next_term = term
    if app.next_due_on != due:
        app.next_due_on = due


@event.listens_for(Session, "before_flush")
def _keep_next_terms(session: Session, _context: Any, _instances: Any) -> None:
    """Every step that opens, meets or moves a term, or moves the case, flushes: the stored next
    term follows here, whichever step it was. Runs inside the flush (async sessions run it in
    their worker greenlet), so a case whose terms are not loaded yet loads them."""
    touched: dict[int, Application] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        app: Application | None = None
        if isinstance(obj, Application):
            app = obj
        elif isinstance(obj, Deadline):
            app = obj.__dict__.get("application")
            if app is None and obj.application_id is not None:
                app = session.get(Application, obj.application_id)
        if app is not None and app not in session.deleted:
            touched[id(app)] = app
    for app in touched.values():
        keep_next_term(app)


# ---------------------------------------------------------------- the deadline board


class CaseLine(NamedTuple):
    """A case as a list line shows it, read as plain columns: a page of lines costs its rows,
    not a page of case and person objects."""

    id: int
    status: Status
    channel: Channel
    ground: Ground | None
    registered_on: date | None
    next_term: Term | None
    next_due_on: date | None
    iin: str
    last_name: str | None
    first_name: str | None
    middle_name: str | None

    @property
    def full_name(self) -> str:
        return full_name(self.last_name, self.first_name, self.middle_name)


LINE_COLUMNS = (
    Application.id,
    Application.status,
    Application.channel,
    Application.ground,
    Application.registered_on,
    Application.next_term,
    Application.next_due_on,
    Applicant.iin,
    Applicant.last_name,
    Applicant.first_name,
    Applicant.middle_name,
)


def case_lines() -> Select[*tuple[Any, ...]]:
    return select(*LINE_COLUMNS).join(Applicant, Application.applicant_id == Applicant.id)


@dataclass(frozen=True)
class Due:
    case: CaseLine
    term: Term
    due_on: date


def _live_clause(terms: list[Term] | None) -> ColumnElement[bool]:
    clauses = []
    for term, states in LIVE_IN.items():
        if terms and term not in terms:
            continue
        clause = and_(Deadline.term == term, Application.status.in_(states))
        if term in ONLY_FOR_CHANNEL:
            clause = and_(clause, Application.channel == ONLY_FOR_CHANNEL[term])
        clauses.append(clause)
    return or_(*clauses)


async def next_deadlines(
    session: AsyncSession,
    *,
    terms: list[Term] | None = None,
    statuses: list[Status] | None = None,
    iin: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> dict[int, Due]:
    """Each matching case's next unmet, still-relevant deadline (every one: for a whole-district
    sweep such as the calendar's; a page of them is `due_page`)."""
    stmt = (
        case_lines()
        .add_columns(Deadline.term, Deadline.due_on)
        .join(Deadline, Deadline.application_id == Application.id)
        .where(Deadline.met_at.is_(None), _live_clause(terms))
        .order_by(Deadline.due_on, Deadline.id)
    )
    if statuses:
        stmt = stmt.where(Application.status.in_(statuses))
    if iin:
        stmt = stmt.where(Applicant.iin == iin)
    if due_from:
        stmt = stmt.where(Deadline.due_on >= due_from)
    if due_to:
        stmt = stmt.where(Deadline.due_on <= due_to)
    found: dict[int, Due] = {}
    for *line, term, due_on in await session.execute(stmt):
        found.setdefault(line[0], Due(CaseLine(*line), term, due_on))
    return found


# Each live (term, state) pair, as rows: one tuple comparison the database checks per row.
LIVE_PAIRS: tuple[tuple[Term, Status], ...] = tuple(
    (term, state) for term, states in LIVE_IN.items() for state in sorted(states)
)


def live_term(deadline: type[Deadline], terms: Sequence[Term] = ()) -> ColumnElement[bool]:
    """`deadline` (the table or an alias) is a running term of the joined `Application`:
    unmet, still relevant in the case's state, owed on its channel."""
    pairs = [(t, s) for t, s in LIVE_PAIRS if not terms or t in terms]
    if not pairs:
        return false()
    clause = and_(
        deadline.met_at.is_(None),
        tuple_(deadline.term, Application.status).in_(pairs),
    )
    if terms:
        # Spelled out, so the database reads it off the open terms' index by term.
        clause = and_(clause, deadline.term.in_(terms))
    for term, channel in ONLY_FOR_CHANNEL.items():
        if not terms or term in terms:
            clause = and_(clause, or_(deadline.term != term, Application.channel == channel))
    return clause


@dataclass(frozen=True)
class DueKey:
    """Where a page by last day starts: after this day and case."""

    due_on: date
    application_id: int

    def encode(self) -> str:
        return f"{self.due_on.isoformat()}.{self.application_id}"

    @classmethod
    def decode(cls, text: str | None) -> DueKey | None:
        """The key of a link; anything else starts from the first page."""
        day, _, number = (text or "").partition(".")
        try:
            key = cls(date.fromisoformat(day), int(number))
        except ValueError:
            return None
        return key if 0 < key.application_id <= 2**31 - 1 else None


def due_query(
    *,
    terms: Sequence[Term] = (),
    due_from: date | ColumnElement[date] | None = None,
    due_to: date | ColumnElement[date] | None = None,
    after: DueKey | None = None,
) -> Select[int, Term | None, date | None]:
    """Cases with a term running, as (case, its next term, that term's last day), earliest first
    (then by case number): the deadline board's order, keyset-paged by `after`. Without `terms`
    it reads the stored next term off `ix_applications_next_due`; narrowed to terms, the open
    terms of those kinds off `ix_deadlines_open_term_due`, each case's earliest. Add the case's
    own filters and a LIMIT; join `Applicant` for people."""
    due: QueryableAttribute[date | None]
    stmt: Select[int, Term | None, date | None]
    if not terms:
        due = Application.next_due_on
        stmt = select(Application.id, Application.next_term, due).where(due.is_not(None))
    else:
        due = Deadline.due_on
        stmt = (
            select(Application.id, Deadline.term, due)
            .select_from(Deadline)
            .join(Application, Deadline.application_id == Application.id)
            .where(live_term(Deadline, terms))
        )
        if len(set(terms)) > 1:  # one row per case per term: only several terms can tie a case
            other = aliased(Deadline)
            earlier = or_(
                other.due_on < Deadline.due_on,
                and_(other.due_on == Deadline.due_on, other.id < Deadline.id),
            )
            stmt = stmt.where(
                ~exists().where(
                    other.application_id == Deadline.application_id,
                    live_term(other, terms),
                    earlier,
                )
            )
    if due_from is not None:
        stmt = stmt.where(due >= due_from)
    if due_to is not None:
        stmt = stmt.where(due <= due_to)
    if after is not None:
        stmt = stmt.where(tuple_(due, Application.id) > tuple_(after.due_on, after.application_id))
    return stmt.order_by(due, Application.id)


# The keyset's day and case, bound at execution.
_AFTER = DueKey(
    bindparam("after_due", type_=Date),  # type: ignore[arg-type]
    bindparam("after_id", type_=Integer),  # type: ignore[arg-type]
)


@lru_cache(maxsize=256)  # a shape per set of terms asked and filters given
def _due_shape(terms: tuple[Term, ...], narrowed: frozenset[str]) -> Select[*tuple[Any, ...]]:
    page = due_query(
        terms=terms,
        due_from=bindparam("due_from", type_=Date) if "due_from" in narrowed else None,
        due_to=bindparam("due_to", type_=Date) if "due_to" in narrowed else None,
        after=_AFTER if "after_due" in narrowed else None,
    )
    _, term, due_on = page.selected_columns
    stmt = page.with_only_columns(*LINE_COLUMNS, term, due_on).join(
        Applicant, Application.applicant_id == Applicant.id
    )
    if "statuses" in narrowed:
        stmt = stmt.where(Application.status.in_(bindparam("statuses", expanding=True)))
    if "iin" in narrowed:
        stmt = stmt.where(Applicant.iin == bindparam("iin"))
    return stmt.limit(bindparam("limit", type_=Integer))


def due_lines(
    *,
    terms: Sequence[Term] = (),
    statuses: Sequence[Status] = (),
    iin: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    after: DueKey | None = None,
    limit: int = 200,
) -> Bound:
    """`due_query` narrowed to the cases' states or one person, a page long, as list lines with
    their term and its last day: each case found off the terms' index joins its person by key."""
    values = given(
        statuses=list(statuses),
        iin=iin,
        due_from=due_from,
        due_to=due_to,
        after_due=after and after.due_on,
        after_id=after and after.application_id,
        limit=limit,
    )
    return Bound(_due_shape(tuple(dict.fromkeys(terms)), frozenset(values)), values)


async def due_page(session: AsyncSession, **narrowed: Any) -> list[Due]:
    """One page of cases with a term running, earliest last day first (`due_lines`'s
    arguments): one query, whatever the page holds."""
    rows = await session.execute(*due_lines(**narrowed))
    return [Due(CaseLine(*line), t, d) for *line, t, d in rows if t and d]


Urgency = Literal["overdue", "due_soon", "upcoming"]
URGENCY_ORDER: tuple[Urgency, ...] = ("overdue", "due_soon", "upcoming")


def urgency(env: CaseEnv, due_on: date) -> Urgency:
    """Overdue, due within one working day, or later."""
    today = env.today()
    if due_on < today:
        return "overdue"
    if due_on <= env.calendar.next_working_day(today):
        return "due_soon"
    return "upcoming"


@dataclass(frozen=True)
class BoardEntry:
    due: Due
    urgency: Urgency
    working_days_left: int


def working_days_left(env: CaseEnv, days: Iterable[date]) -> dict[date, int]:
    """Working days from today to each last day (`working_days_between`; negative when
    overdue), counted in one walk over the page's span instead of a walk per row."""
    today, cal, step = env.today(), env.calendar, timedelta(days=1)
    wanted = sorted(set(days))
    left: dict[date, int] = {}
    n, day = 0, today
    for due in (d for d in wanted if d >= today):  # (today, due]
        while day < due:
            day += step
            n += cal.is_working_day(day)
        left[due] = n
    n, day = 0, today
    for due in (d for d in reversed(wanted) if d < today):  # (due, today], counted back
        while day > due:
            n += cal.is_working_day(day)
            day -= step
        left[due] = -n
    return left


async def board(
    session: AsyncSession,
    env: CaseEnv,
    *,
    terms: list[Term] | None = None,
    statuses: list[Status] | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    after: DueKey | None = None,
    limit: int = 200,
) -> list[BoardEntry]:
    """Cases with their next deadline, earliest first: overdue, then due within one working day,
    then later (the last day's order is the urgency's)."""
    found = await due_page(
        session,
        terms=terms or (),
        statuses=statuses or (),
        due_from=due_from,
        due_to=due_to,
        after=after,
        limit=limit,
    )
    left = working_days_left(env, (d.due_on for d in found))
    return [BoardEntry(d, urgency(env, d.due_on), left[d.due_on]) for d in found]
