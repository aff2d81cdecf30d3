"""Calendar overrides: days the government or the akimat made off or working.

Changing a day moves every open case's deadlines at once, in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import NotFound
from casework.steps.deadlines import refresh_open_cases
from casework.system.env import CaseEnv, current
from casework.tables.calendar import CalendarOverride


async def overrides(session: AsyncSession) -> list[CalendarOverride]:
    return list(await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


async def set_override(
    session: AsyncSession, env: CaseEnv, day: date, *, working: bool, note: str | None
) -> CalendarOverride:
    row = await session.merge(CalendarOverride(day=day, working=working, note=note))
    await _changed(session, env)
    return row


async def delete_override(session: AsyncSession, env: CaseEnv, day: date) -> None:
    row = await session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"no override on {day}", day=day)
    await session.delete(row)
    await _changed(session, env)


async def _changed(session: AsyncSession, env: CaseEnv) -> None:
    await session.flush()
    await refresh_open_cases(session, await current(session, env))
