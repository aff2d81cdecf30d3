"""Calendar overrides: days the government or the akimat made off or working.

Changing a day moves the open cases' deadlines at once, in the same transaction, and the running
process reloads its calendar after the commit.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework import cases
from casework.cases import CaseEnv, load_application, load_calendar
from casework.lifecycle import FINAL, Status
from casework.models import Application, CalendarOverride
from casework.runtime import Runtime
from casework.staff import Action, Staff
from gateway.staff.deps import EnvDep, RuntimeDep, SessionDep, permit
from gateway.staff.errors import NotFound
from gateway.staff.schemas import OverrideIn, OverrideOut

router = APIRouter(prefix="/calendar", tags=["calendar"])


async def _calendar_changed(
    session: AsyncSession, env: CaseEnv, runtime: Runtime, tasks: BackgroundTasks
) -> None:
    """Move the open cases' deadlines now; the process reloads its calendar after the commit."""
    await session.flush()
    fresh = CaseEnv(
        clock=env.clock, calendar=await load_calendar(session, env.district), district=env.district
    )
    ids = await session.scalars(
        select(Application.id).where(Application.status.not_in([*FINAL, Status.DRAFT]))
    )
    for application_id in list(ids):
        app = await load_application(session, application_id, for_update=True)
        await cases.refresh_deadlines(session, fresh, app)
    # Background tasks run after the response, so after the commit: no request reloads early.
    tasks.add_task(runtime.calendar_changed)


@router.get("/overrides")
async def list_overrides(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], session: SessionDep
) -> list[OverrideOut]:
    rows = await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))
    return [OverrideOut(day=o.day, working=o.working, note=o.note) for o in rows]


@router.put("/overrides/{day}")
async def set_override(
    staff: Annotated[Staff, permit(Action.CALENDAR)],
    day: date,
    body: OverrideIn,
    session: SessionDep,
    env: EnvDep,
    runtime: RuntimeDep,
    tasks: BackgroundTasks,
) -> OverrideOut:
    row = await session.merge(CalendarOverride(day=day, working=body.working, note=body.note))
    await _calendar_changed(session, env, runtime, tasks)
    return OverrideOut(day=row.day, working=row.working, note=row.note)


@router.delete("/overrides/{day}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_override(
    staff: Annotated[Staff, permit(Action.CALENDAR)],
    day: date,
    session: SessionDep,
    env: EnvDep,
    runtime: RuntimeDep,
    tasks: BackgroundTasks,
) -> None:
    row = await session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"no override on {day}", day=day)
    await session.delete(row)
    await _calendar_changed(session, env, runtime, tasks)
