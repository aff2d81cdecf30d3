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

from fastapi import APIRouter, Query, Request, Response

from casework.law.errors import RuleError
from casework.law.roles import Action
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import deadlines, lookups
from casework.steps.deadlines import CaseLine, DueKey
from casework.steps.rows import ID_MAX
from casework.system.db import transaction
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, RuntimeDep, SessionDep, permit
from gateway.staff.errors import Forbidden
from gateway.staff.schemas import BoardRow, CaseSummary
from gateway.staff.views import iin_view

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
    after: Annotated[str | None, Query(max_length=40)] = None,
    *,
    request: Request,
    response: Response,
) -> list[BoardRow]:
    """Cases with their next deadline: overdue first, then due within one working day. A page at
    a time: a full page answers a `Link: <…>; rel="next"` header with its `after=` cursor."""
    entries = await deadlines.board(
        session,
        env,
        terms=term,
        statuses=status,
        due_from=due_from,
        due_to=due_to,
        after=_due_key(after),
        limit=limit,
    )
    if len(entries) == limit:
        last = entries[-1].due
        _link_next(request, response, DueKey(last.due_on, last.case.id).encode())
    shown_iin = iin_view(staff)
    return [
        BoardRow(
            application_id=e.due.case.id,
            status=e.due.case.status,
            iin=shown_iin(e.due.case.iin),
            full_name=e.due.case.full_name,
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
    after: Annotated[str | None, Query(max_length=40)] = None,
    *,
    request: Request,
    response: Response,
) -> list[CaseSummary]:
    """Find cases by IIN (roles that may see IINs only), status, or next deadline (a term, a
    due range): newest first, or by the deadline earliest first. A full page answers a
    `Link: <…>; rel="next"` header with its `after=` cursor. Every lookup is recorded for the
    audit (`GET /staff/lookups`)."""
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
    # (case, person, its next term, that term's last day): by the deadline asked, else the
    # case's stored next term.
    found: list[tuple[CaseLine, Term | None, date | None]]
    if by_deadline:
        due = await deadlines.due_page(
            session,
            terms=term or (),
            statuses=status or (),
            iin=iin,
            due_from=due_from,
            due_to=due_to,
            after=_due_key(after),
            limit=limit,
        )
        found = [(d.case, d.term, d.due_on) for d in due]
        if len(found) == limit:
            _link_next(request, response, DueKey(due[-1].due_on, due[-1].case.id).encode())
    else:
        lines = await lookups.filed_page(
            session, iin=iin, statuses=status or (), before=_case_key(after), limit=limit
        )
        found = [(line, line.next_term, line.next_due_on) for line in lines]
        if len(found) == limit:
            _link_next(request, response, str(lines[-1].id))
    shown_iin = iin_view(staff)
    shown = [
        CaseSummary(
            id=line.id,
            status=line.status,
            iin=shown_iin(line.iin),
            full_name=line.full_name,
            ground=line.ground,
            channel=line.channel,
            registered_on=line.registered_on,
            next_term=next_term,
            next_due_on=next_due_on,
        )
        for line, next_term, next_due_on in found
    ]
    await audit(session, found=len(shown))
    return shown


def _due_key(after: str | None) -> DueKey | None:
    """The cursor of a list by deadline: `<last day>.<case number>`."""
    if after is None:
        return None
    key = DueKey.decode(after)
    if key is None:
        raise RuleError("after is not a cursor of this list", field="after")
    return key


def _case_key(after: str | None) -> int | None:
    """The cursor of a list newest first: the last case number shown."""
    if after is None:
        return None
    if not after.isdigit() or not 0 < int(after) <= ID_MAX:
        raise RuleError("after is not a cursor of this list", field="after")
    return int(after)


def _link_next(request: Request, response: Response, after: str) -> None:
    """RFC 8288: the next page is the same query from the cursor on."""
    url = request.url.include_query_params(after=after)
    response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'


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
