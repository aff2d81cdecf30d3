"""Calendar overrides: days the government or the akimat made off or working.

Changing a day moves the open cases' deadlines at once (casework.steps.calendar); every process
reads the overrides afresh when it next starts a unit of work.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, status

from casework.law.roles import Action
from casework.steps import calendar
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.schemas import OverrideIn, OverrideOut

router = APIRouter(prefix="/calendar", tags=["calendar"])


@router.get("/overrides")
async def list_overrides(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], session: SessionDep
) -> list[OverrideOut]:
    return [
        OverrideOut(day=o.day, working=o.working, note=o.note)
        for o in await calendar.overrides(session)
    ]


@router.put("/overrides/{day}")
async def set_override(
    staff: Annotated[Staff, permit(Action.CALENDAR)],
    day: date,
    body: OverrideIn,
    session: SessionDep,
    env: EnvDep,
) -> OverrideOut:
    row = await calendar.set_override(session, env, day, working=body.working, note=body.note)
    return OverrideOut(day=row.day, working=row.working, note=row.note)


@router.delete("/overrides/{day}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_override(
    staff: Annotated[Staff, permit(Action.CALENDAR)],
    day: date,
    session: SessionDep,
    env: EnvDep,
) -> None:
    await calendar.delete_override(session, env, day)
