"""The legal terms kept on each case: computed from its events, met by its steps, moved when the
calendar changes, and the board of which case needs what by when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.status import FINAL, Status
from casework.law.terms import LIVE_IN, MET_BY, ONLY_FOR_CHANNEL, Event, Term, compute_terms
from casework.steps.case_file import load_application
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
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


async def refresh_deadlines(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    """Recompute every term from the case's events and store them on the case."""
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
        else:
            app.deadlines.append(Deadline(term=term, due_on=due))
    meet(app, MET_BY.get(app.status, ()), env.now())
    await session.flush()


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


# ---------------------------------------------------------------- the deadline board


@dataclass(frozen=True)
class Due:
    application: Application
    applicant: Applicant
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
    """Each matching case's next unmet, still-relevant deadline."""
    stmt = (
        select(Deadline, Application, Applicant)
        .join(Application, Deadline.application_id == Application.id)
        .join(Applicant, Application.applicant_id == Applicant.id)
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
    for deadline, app, applicant in await session.execute(stmt):
        found.setdefault(app.id, Due(app, applicant, deadline.term, deadline.due_on))
    return found


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


async def board(
    session: AsyncSession,
    env: CaseEnv,
    *,
    terms: list[Term] | None = None,
    statuses: list[Status] | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    limit: int = 200,
) -> list[BoardEntry]:
    """Cases with their next deadline: overdue first, then due within one working day, later."""
    found = await next_deadlines(
        session, terms=terms, statuses=statuses, due_from=due_from, due_to=due_to
    )
    today = env.today()
    entries = [
        BoardEntry(d, urgency(env, d.due_on), env.calendar.working_days_between(today, d.due_on))
        for d in found.values()
    ]
    rank = {name: i for i, name in enumerate(URGENCY_ORDER)}
    entries.sort(key=lambda e: (rank[e.urgency], e.due.due_on, e.due.application.id))
    return entries[:limit]
