"""The working-day calendar on real Kazakhstan dates (holidays per the `holidays` package)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from casework.law.calendar import WorkingCalendar

ALMATY = timezone(timedelta(hours=5))  # UTC+5 since 2024-03-01


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- Nauryz: 21-23 March, weekend days moved to the next working days -----------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_nauryz_21_to_25_march_are_days_off(cal: WorkingCalendar, year: int) -> None:
    off = [d.day for d in days(date(year, 3, 19), date(year, 3, 27)) if not cal.is_working_day(d)]
    assert off == [21, 22, 23, 24, 25]


def test_nauryz_2025_weekend_days_are_observed_on_monday_and_tuesday(cal: WorkingCalendar) -> None:
    # 22 (Sat) and 23 (Sun) March 2025 move to 24 and 25 March.
    assert "Наурыз" in (cal.holiday_name(date(2025, 3, 24)) or "")
    assert "Наурыз" in (cal.holiday_name(date(2025, 3, 25)) or "")


def test_counting_skips_nauryz(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2025, 3, 20), 1) == date(2025, 3, 26)
    assert cal.add_working_days(date(2026, 3, 20), 1) == date(2026, 3, 26)
    assert cal.add_working_days(date(2026, 3, 26), -1) == date(2026, 3, 20)
    assert cal.working_days_between(date(2026, 3, 19), date(2026, 3, 27)) == 3  # 20, 26, 27


# --- New Year and Orthodox Christmas ---------------------------------------------------------


def test_new_year_two_days_and_christmas(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2025, 12, 31))
    assert not cal.is_working_day(date(2026, 1, 1))
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.holiday_name(date(2026, 1, 1)) == "Жаңа жыл"
    assert cal.next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    # 7 January 2026 (Wednesday) is Orthodox Christmas.
    assert cal.add_working_days(date(2026, 1, 5), 2) == date(2026, 1, 8)


# --- the government's transfers -----------------------------------------------------------------


def test_2025_transfer_friday_3_january_off_sunday_5_january_worked(cal: WorkingCalendar) -> None:
    # Government decree of 2024 (G24G0000436): Sunday 5 January 2025 moved to Friday 3 January.
    assert not cal.is_working_day(date(2025, 1, 3))
    assert not cal.is_working_day(date(2025, 1, 4))
    assert cal.is_working_day(date(2025, 1, 5))
    assert cal.holiday_name(date(2025, 1, 3)) is not None
    assert cal.holiday_name(date(2025, 1, 5)) is None
    assert cal.next_working_day(date(2024, 12, 31)) == date(2025, 1, 5)
    assert cal.working_days_between(date(2024, 12, 31), date(2025, 1, 6)) == 2  # 5 and 6


def test_a_transferred_working_day_in_the_year_before_its_decree() -> None:
    # The 2014 decree made Saturday 28 December 2013 a working day; a fresh calendar, which loads
    # only the year asked about, must still know it.
    assert WorkingCalendar().is_working_day(date(2013, 12, 28))
    assert not WorkingCalendar().is_working_day(date(2014, 1, 3))


# --- holidays on a weekend move to the next working day -----------------------------------------


@pytest.mark.parametrize(
    ("holiday", "observed"),
    [
        (date(2025, 8, 30), date(2025, 9, 1)),  # Constitution Day, Saturday
        (date(2025, 10, 25), date(2025, 10, 27)),  # Republic Day, Saturday
        (date(2026, 3, 8), date(2026, 3, 9)),  # Women's Day, Sunday
        (date(2026, 5, 9), date(2026, 5, 11)),  # Victory Day, Saturday
    ],
)
def test_weekend_holiday_is_observed_on_monday(
    cal: WorkingCalendar, holiday: date, observed: date
) -> None:
    assert not cal.is_working_day(observed)
    assert cal.holiday_name(observed) is not None
    assert cal.next_working_day(holiday) == observed + timedelta(days=1)


def test_plain_weekend_and_working_day_have_no_holiday_name(cal: WorkingCalendar) -> None:
    assert cal.holiday_name(date(2026, 3, 14)) is None  # Saturday
    assert cal.holiday_name(date(2026, 3, 20)) is None  # Friday before Nauryz


# --- staff overrides win ----------------------------------------------------------------------


def test_overrides_make_days_off_and_working_saturdays() -> None:
    cal = WorkingCalendar(
        overrides={
            date(2026, 3, 26): False,  # a day made off
            date(2026, 3, 28): True,  # a Saturday made working
            date(2025, 1, 5): False,  # beats the library's transfer
            date(2026, 1, 2): True,  # beats a public holiday
        }
    )
    assert cal.add_working_days(date(2026, 3, 20), 1) == date(2026, 3, 27)
    assert cal.next_working_day(date(2026, 3, 27)) == date(2026, 3, 28)
    assert not cal.is_working_day(date(2025, 1, 5))
    assert cal.is_working_day(date(2026, 1, 2))
    assert cal.holiday_name(date(2026, 1, 2)) is None


# --- counting ---------------------------------------------------------------------------------


def test_add_zero_working_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 3, 20), 0) == date(2026, 3, 20)
    assert cal.add_working_days(date(2026, 3, 21), 0) == date(2026, 3, 26)


def test_working_days_between_is_half_open_and_signed(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2026, 3, 16), date(2026, 3, 16)) == 0
    assert cal.working_days_between(date(2026, 3, 16), date(2026, 3, 20)) == 4
    assert cal.working_days_between(date(2026, 3, 20), date(2026, 3, 16)) == -4


def test_datetimes_are_refused_where_a_day_is_meant(cal: WorkingCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2026, 3, 20, tzinfo=UTC))


# --- registration day (SR §7, DR §14) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "registered"),
    [
        (local(2026, 3, 13, 19, 0), date(2026, 3, 16)),  # Friday after hours -> Monday
        (local(2026, 1, 7, 10, 0), date(2026, 1, 8)),  # on Orthodox Christmas
        (local(2026, 3, 14, 11, 0), date(2026, 3, 16)),  # on a Saturday
        (local(2026, 3, 12, 8, 0), date(2026, 3, 12)),  # before opening -> that day
        (local(2026, 3, 12, 18, 29), date(2026, 3, 12)),
        (local(2026, 3, 12, 18, 30), date(2026, 3, 13)),  # closing time is outside hours
        # 13:45 UTC = 18:45 Friday in Almaty -> after the Nauryz days.
        (datetime(2026, 3, 20, 13, 45, tzinfo=UTC), date(2026, 3, 26)),
        (datetime(2026, 3, 20, 13, 15, tzinfo=UTC), date(2026, 3, 20)),
        # Sunday 20:00 UTC is already Monday 01:00 in Almaty.
        (datetime(2026, 3, 15, 20, 0, tzinfo=UTC), date(2026, 3, 16)),
        # Before 1 March 2024 Almaty was UTC+6: 12:45 UTC was 18:45 local, after hours.
        (datetime(2024, 2, 29, 12, 45, tzinfo=UTC), date(2024, 3, 1)),
    ],
)
def test_registration_date(cal: WorkingCalendar, received: datetime, registered: date) -> None:
    assert cal.registration_date(received) == registered


def test_working_hours_are_configurable() -> None:
    cal = WorkingCalendar(work_start=time(8, 0), work_end=time(17, 0))
    assert cal.registration_date(local(2026, 3, 12, 17, 30)) == date(2026, 3, 13)
    assert cal.is_working_time(local(2026, 3, 12, 8, 0))
    assert not cal.is_working_time(local(2026, 3, 21, 10, 0))


def test_naive_datetimes_are_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.registration_date(datetime(2026, 3, 12, 10, 0))
    with pytest.raises(ValueError):
        cal.local_date(datetime(2026, 3, 12, 10, 0))


def test_local_date_uses_the_district_zone(cal: WorkingCalendar) -> None:
    assert cal.local_date(datetime(2026, 3, 15, 19, 0, tzinfo=UTC)) == date(2026, 3, 16)
    assert cal.local_date(datetime(2026, 3, 15, 18, 59, tzinfo=UTC)) == date(2026, 3, 15)
