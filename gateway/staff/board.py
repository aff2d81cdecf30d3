"""The deadline board and case lookup: which cases need what by when, the late ones first.

A lookup by full IIN is an oracle: a role that sees IINs masked (no `view_iin`) could recover
one by trying the masked digits, so it may not search by IIN at all. Every lookup is recorded
(casework.steps.lookups), a refused one too.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query

from casework.law.roles import Action
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import deadlines, lookups
from casework.steps.case_file import find_cases
from casework.system.db import transaction
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, RuntimeDep, SessionDep, permit
from gateway.staff.errors import Forbidden
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
    runtime: RuntimeDep,
    iin: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    term: Annotated[list[Term] | None, Query()] = None,
    due_from: date | None = None,
    due_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CaseSummary]:
    """Find cases by IIN (roles that may see IINs only), status, or next deadline (a term, a
    due range). Every lookup is recorded for the audit (`GET /staff/lookups`)."""
    by_deadline = bool(term or due_from or due_to)
    audit = partial(
        lookups.record,
        staff_id=staff.id,
        at=runtime.clock.now(),
        kind=lookups.kind_of(iin=iin, by_deadline=by_deadline, filtered=bool(status)),
        iin=iin,
        filters=_filters(status, term, due_from, due_to, limit),
    )
    if iin and not staff.may(Action.VIEW_IIN):
        # Recorded apart: the refusal rolls the request's own transaction back.
        async with transaction(runtime.sessions) as apart:
            await audit(apart, found=0, refused=True)
        raise Forbidden(
            f"the role {staff.role} may not look cases up by IIN",
            role=staff.role.value,
            action=Action.VIEW_IIN.value,
        )
    due = await deadlines.next_deadlines(
        session, terms=term, statuses=status, iin=iin, due_from=due_from, due_to=due_to
    )
    if by_deadline:
        pairs = [(d.application, d.applicant) for d in due.values()]
    else:
        pairs = await find_cases(session, iin=iin, statuses=status, limit=limit)
    shown = [
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
    await audit(session, found=len(shown))
    return shown


def _filters(
    status: list[Status] | None,
    term: list[Term] | None,
    due_from: date | None,
    due_to: date | None,
    limit: int,
) -> str:
    """The lookup's filters other than the IIN, from the validated values (never the raw query
    string, which may carry anything)."""
    pairs = [("status", s.value) for s in status or []] + [("term", t.value) for t in term or []]
    pairs += [(k, v.isoformat()) for k, v in (("due_from", due_from), ("due_to", due_to)) if v]
    return urlencode([*pairs, ("limit", str(limit))])
