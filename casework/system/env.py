"""What every use case runs with: the clock, the district's working calendar, the district file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.calendar import WorkingCalendar
from casework.law.district import District
from casework.system.clock import Clock
from casework.tables.calendar import CalendarOverride


@dataclass
class CaseEnv:
    clock: Clock
    calendar: WorkingCalendar
    district: District

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.calendar.local_date(self.clock.now())


# Two plain columns, no ORM objects, built once: every unit of work of a long-lived process asks.
_OVERRIDES = select(CalendarOverride.day, CalendarOverride.working)


async def _overrides(session: AsyncSession) -> dict[date, bool]:
    rows = await session.execute(_OVERRIDES)
    return {day: working for day, working in rows}


async def load_calendar(
    session: AsyncSession, district: District, *, timezone: str | None = None
) -> WorkingCalendar:
    """The district's calendar with the day-off and working-day overrides staff entered."""
    return _calendar(district, await _overrides(session), timezone)


async def current(session: AsyncSession, env: CaseEnv) -> CaseEnv:
    """`env` with the overrides as they are in the database now. Staff may change a day in
    another process (the server, while a worker runs): a long-lived process asks again each
    time it starts a unit of work; the calendar is rebuilt only when the overrides changed."""
    overrides = await _overrides(session)
    if overrides == env.calendar.overrides:
        return env
    return replace(env, calendar=_calendar(env.district, overrides, env.calendar.tz.key))


def _calendar(
    district: District, overrides: dict[date, bool], timezone: str | None
) -> WorkingCalendar:
    return WorkingCalendar(
        timezone=timezone or district.timezone,
        overrides=overrides,
        work_start=district.working_hours.start,
        work_end=district.working_hours.end,
    )
