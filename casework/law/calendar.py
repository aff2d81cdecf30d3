"""Kazakhstan's working-day calendar, in the district's time zone.

Every legal term of the service is counted in working days (DOMAIN.md). The `holidays` package
knows the public holidays, the weekend-shifted ("observed") days and the government's yearly
day-off transfers; staff overrides win over all of it, so a decree the library does not know yet
is one row of configuration, not a code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Year:
    days_off: frozenset[date]
    names: Mapping[date, str]


class WorkingCalendar:
    def __init__(
        self,
        *,
        timezone: str = "Asia/Almaty",
        overrides: Mapping[date, bool] | None = None,
        work_start: time = time(9, 0),
        work_end: time = time(18, 30),
        language: str = "kk",
    ) -> None:
        if work_start >= work_end:
            raise ValueError("work_start must be before work_end")
        self.tz = ZoneInfo(timezone)
        # True = made a working day, False = made a day off (staff-entered, wins over the library).
        self.overrides: Mapping[date, bool] = dict(overrides or {})
        self.work_start = work_start
        self.work_end = work_end
        self.language = language
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        if (cached := self._years.get(year)) is None:
            # One year is enough: the library itself knows working days moved across a year end
            # (2014's decree made Saturday 28 December 2013 a working day).
            kz = holidays.country_holidays("KZ", years=year, language=self.language)
            first = date(year, 1, 1)
            days = (first + _DAY * i for i in range((date(year + 1, 1, 1) - first).days))
            # The library's is_working_day counts weekends, holidays, observed days, transferred
            # days off and weekend days made working by a transfer.
            cached = _Year(
                days_off=frozenset(d for d in days if not kz.is_working_day(d)),
                names=dict(kz),
            )
            self._years[year] = cached
        return cached

    def is_working_day(self, day: date) -> bool:
        day = _plain(day)
        if (override := self.overrides.get(day)) is not None:
            return override
        return day not in self._year(day.year).days_off

    def holiday_name(self, day: date) -> str | None:
        """The holiday that makes `day` a day off, for display; None on working days and on plain
        weekends or staff-made days off."""
        day = _plain(day)
        if self.is_working_day(day):
            return None
        return self._year(day.year).names.get(day)

    def add_working_days(self, day: date, n: int) -> date:
        """n > 0: the n-th working day after `day` (`day` itself not counted); n < 0: backwards;
        n == 0: `day` if it is a working day, else the next one."""
        day = _plain(day)
        step = _DAY if n >= 0 else -_DAY
        if n == 0:
            while not self.is_working_day(day):
                day += step
            return day
        for _ in range(abs(n)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (counting (end, start]) when end < start."""
        start, end = _plain(start), _plain(end)
        if end < start:
            return -self.working_days_between(end, start)
        return sum(self.is_working_day(start + _DAY * i) for i in range(1, (end - start).days + 1))

    def local_date(self, moment: datetime) -> date:
        return self.local(moment).date()

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a timezone-aware datetime is needed")
        return moment.astimezone(self.tz)

    def is_working_time(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.work_start <= local.time() < self.work_end

    def registration_date(self, received_at: datetime) -> date:
        """SR §7, DR §14: registered on the working day received; received outside working hours,
        on the first working day after it arrived.

        "Outside working hours" is read as the next working day *after the moment*: a filing at
        08:00 on a working day is registered that same day at opening, one after closing or on a
        day off waits for the next working day.
        """
        local = self.local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.work_end:
            return day
        return self.next_working_day(day)


def _plain(day: date) -> date:
    # A datetime is a date subclass; its calendar day depends on the zone, so callers must say
    # which one (local_date) rather than have the UTC date used silently.
    if isinstance(day, datetime):
        raise TypeError("pass a date; convert datetimes with WorkingCalendar.local_date")
    return day
