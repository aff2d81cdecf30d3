"""The deadline board and case lookup: which cases need what by when, the late ones first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.cases import CaseEnv
from casework.deadlines import Term
from casework.lifecycle import Status
from casework.models import Applicant, Application, Deadline
from casework.rules import Channel
from casework.staff import Action, Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.schemas import BoardRow, CaseSummary, Urgency
from gateway.staff.views import shown_iin

router = APIRouter(tags=["deadlines"])

S = Status
_UNDECIDED = frozenset(
    {
        S.REGISTERED,
        S.AT_PRECINCT_COMMISSION,
        S.INCOME_COMPUTED,
        S.AT_SPECIAL_COMMISSION,
        S.PRELIMINARY_REFUSAL,
        S.OBJECTION_RECEIVED,
        S.HEARING_HELD,
        S.PROTOCOL_MADE,
        S.REMARKS_RECEIVED,
    }
)

# While the case is in one of these states the term still matters; past them it is moot (an
# objection window after the hearing was held) or met by the step that moved the case on.
LIVE_IN: dict[Term, frozenset[Status]] = {
    Term.REGISTRATION: frozenset({S.SUBMITTED, S.ACCEPTED}),
    Term.PRECINCT_FORWARDING: frozenset({S.REGISTERED}),
    Term.INCOME_COMPUTATION: frozenset({S.AT_PRECINCT_COMMISSION}),
    Term.DECISION: _UNDECIDED,
    Term.PRELIMINARY_REFUSAL_LATEST: frozenset(
        {S.REGISTERED, S.AT_PRECINCT_COMMISSION, S.INCOME_COMPUTED, S.AT_SPECIAL_COMMISSION}
    ),
    Term.OBJECTION: frozenset({S.PRELIMINARY_REFUSAL}),
    Term.PROTOCOL_REMARKS: frozenset({S.PROTOCOL_MADE}),
    Term.CHAT_NOTICE: frozenset({S.GRANTED, S.REFUSED}),
}
# SR §15, DR §21: the one-working-day notice is owed to filings through the portal (the bot).
ONLY_FOR_CHANNEL: dict[Term, Channel] = {Term.CHAT_NOTICE: Channel.BOT}

_RANK: dict[Urgency, int] = {"overdue": 0, "due_soon": 1, "upcoming": 2}


def urgency(env: CaseEnv, due_on: date) -> Urgency:
    today = env.today()
    if due_on < today:
        return "overdue"
    if due_on <= env.calendar.next_working_day(today):
        return "due_soon"
    return "upcoming"


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


@router.get("/deadlines")
async def deadline_board(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    session: SessionDep,
    env: EnvDep,
    term: Annotated[list[Term] | None, Query()] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    due_from: date | None = None,
    due_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[BoardRow]:
    """Cases with their next deadline: overdue first, then due within one working day."""
    found = await next_deadlines(
        session, terms=term, statuses=status, due_from=due_from, due_to=due_to
    )
    today = env.today()
    rows = [
        BoardRow(
            application_id=d.application.id,
            status=d.application.status,
            iin=shown_iin(staff, d.applicant.iin),
            full_name=d.applicant.full_name,
            term=d.term,
            due_on=d.due_on,
            urgency=urgency(env, d.due_on),
            working_days_left=env.calendar.working_days_between(today, d.due_on),
        )
        for d in found.values()
    ]
    rows.sort(key=lambda r: (_RANK[r.urgency], r.due_on, r.application_id))
    return rows[:limit]


@router.get("/applications", tags=["cases"])
async def lookup(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    session: SessionDep,
    iin: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    term: Annotated[list[Term] | None, Query()] = None,
    due_from: date | None = None,
    due_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CaseSummary]:
    """Find cases by IIN, status, or next deadline (a term, a due range)."""
    by_deadline = bool(term or due_from or due_to)
    due = await next_deadlines(
        session, terms=term, statuses=status, iin=iin, due_from=due_from, due_to=due_to
    )
    if by_deadline:
        pairs = [(d.application, d.applicant) for d in due.values()]
    else:
        stmt = (
            select(Application, Applicant)
            .join(Applicant, Application.applicant_id == Applicant.id)
            .where(Application.status != Status.DRAFT)
            .order_by(Application.id.desc())
            .limit(limit)
        )
        if iin:
            stmt = stmt.where(Applicant.iin == iin)
        if status:
            stmt = stmt.where(Application.status.in_(status))
        pairs = [(app, applicant) for app, applicant in await session.execute(stmt)]
    return [
        CaseSummary(
            id=app.id,
            status=app.status,
            iin=shown_iin(staff, applicant.iin),
            full_name=applicant.full_name,
            ground=app.ground,
            channel=app.channel,
            registered_on=app.registered_on,
            next_term=due[app.id].term if app.id in due else None,
            next_due_on=due[app.id].due_on if app.id in due else None,
        )
        for app, applicant in pairs[:limit]
    ]
