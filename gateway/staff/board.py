"""The deadline board and case lookup: which cases need what by when, the late ones first."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from casework.law.roles import Action
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import deadlines
from casework.steps.case_file import find_cases
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.schemas import BoardRow, CaseSummary
from gateway.staff.views import shown_iin

router = APIRouter(tags=["deadlines"])


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
    entries = await deadlines.board(
        session, env, terms=term, statuses=status, due_from=due_from, due_to=due_to, limit=limit
    )
    return [
        BoardRow(
            application_id=e.due.application.id,
            status=e.due.application.status,
            iin=shown_iin(staff, e.due.applicant.iin),
            full_name=e.due.applicant.full_name,
            term=e.due.term,
            due_on=e.due.due_on,
            urgency=e.urgency,
            working_days_left=e.working_days_left,
        )
        for e in entries
    ]


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
    due = await deadlines.next_deadlines(
        session, terms=term, statuses=status, iin=iin, due_from=due_from, due_to=due_to
    )
    if by_deadline:
        pairs = [(d.application, d.applicant) for d in due.values()]
    else:
        pairs = await find_cases(session, iin=iin, statuses=status, limit=limit)
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
