"""Console pages: the hearings still to be held, day by day, and their invitations as one broadcast.

The days and each day's hearings are `casework.steps.broadcast_views`; the invitations are
`casework.steps.broadcasts.invite_to_hearings`, the same use case as `POST /staff/broadcasts`, so
each applicant's notice goes by the channels the law gives them. Any member who sees cases may
read the list; only a role with `broadcast` gets the checkboxes and the button, and the server
refuses the others anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from casework.law.errors import DomainError
from casework.law.identity import mask_iin
from casework.law.roles import Action
from casework.steps import broadcasts
from casework.steps.broadcast_views import ScheduledHearing, hearing_days, hearings_of_day
from casework.steps.hearings import hearings_on
from casework.system.env import CaseEnv
from casework.texts.i18n import N_, day_and_time
from casework.texts.labels import label
from gateway.console.errors import explain
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()

_BAD_DAY = N_("That is not a date. Pick the day in the calendar field.")
_NONE_CHOSEN = N_("Choose at least one hearing to invite to.")
_MOVED = N_(
    "Some of the chosen hearings are no longer on this day: they were moved or held meanwhile. "
    "The list below is up to date; choose again."
)


@dataclass(frozen=True)
class HearingRow:
    application_id: int
    time: str
    full_name: str
    iin: str  # masked
    mode: str
    details: str | None
    status: str
    invited_on: date | None


def _row(console: Console, env: CaseEnv, h: ScheduledHearing) -> HearingRow:
    _, time = day_and_time(h.scheduled_at, env.calendar.tz)
    invited = env.calendar.local_date(h.invited_at) if h.invited_at else None
    return HearingRow(
        application_id=h.application_id,
        time=time,
        full_name=h.full_name,
        iin=mask_iin(h.iin),
        mode=label(h.mode, console.locale),
        details=h.details,
        status=label(h.status, console.locale),
        invited_on=invited,
    )


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


async def _page(
    console: Console,
    session: SessionDep,
    env: CaseEnv,
    day: date | None,
    *,
    error: str | None = None,
    chosen: frozenset[int] = frozenset(),
    status_code: int = 200,
) -> HTMLResponse:
    today = env.today()
    days = await hearing_days(session, env, since=today)
    if day is None:  # the next day with hearings, else today
        day = days[0][0] if days else today
    cal = env.calendar
    rows = [_row(console, env, h) for h in await hearings_of_day(session, env, day)]
    return console.page(
        "hearings.html",
        status_code,
        shown_day=day,
        today=today,
        days=days,
        working=cal.is_working_day(day),
        previous=cal.add_working_days(day, -1),
        next=cal.add_working_days(day, 1),
        rows=rows,
        chosen=chosen,
        may_invite=console.may(Action.BROADCAST),
        error=error,
    )


@router.get("/hearings", response_class=HTMLResponse)
async def hearings_page(
    console: ConsoleDep, session: SessionDep, env: EnvDep, day: str | None = None
) -> Response:
    console.require(Action.VIEW_CASES)
    shown = _parse_day(day)
    if day and shown is None:
        return await _page(console, session, env, None, error=console.t(_BAD_DAY), status_code=422)
    return await _page(console, session, env, shown)


@router.post("/hearings/invite")
async def invite(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    day: Annotated[str, Form(max_length=10)] = "",
    application_id: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """The chosen hearings of one day, invited in one broadcast; then the broadcast's page."""
    console.require(Action.BROADCAST)
    shown = _parse_day(day)
    if shown is None:
        return await _page(console, session, env, None, error=console.t(_BAD_DAY), status_code=422)
    chosen = list(dict.fromkeys(application_id or []))
    if not chosen:
        error = console.t(_NONE_CHOSEN)
        return await _page(console, session, env, shown, error=error, status_code=422)
    if not set(chosen) <= set(await hearings_on(session, env, shown)):
        error = console.t(_MOVED)
        return await _page(
            console, session, env, shown, error=error, chosen=frozenset(chosen), status_code=409
        )
    try:
        # All or nothing: a case that cannot be invited stops it before anything is written.
        broadcast = await broadcasts.invite_to_hearings(
            session, env, hearing_date=None, application_ids=chosen, created_by=console.staff.name
        )
    except DomainError as exc:
        error = explain(exc, console.locale)
        return await _page(
            console, session, env, shown, error=error, chosen=frozenset(chosen), status_code=409
        )
    return see_other(f"/console/broadcasts/{broadcast.id}")
