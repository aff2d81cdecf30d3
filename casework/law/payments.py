"""Paying granted assistance (DR §23, §29–§34) as data: the schedule a grant makes, and every
term of the chain from the register to the money in the recipient's account.

A term starts from an event and runs working days on the district's calendar, or ends on a
fixed day of a month (the 29th, the 1st) or on the last working day of a month. Adding a term
means adding a row, not code.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from casework.law.calendar import WorkingCalendar
from casework.law.rules import Periodicity

# DR §5: how many months one payment of periodic assistance covers. One-off has one entry.
PERIOD_MONTHS: dict[Periodicity, int] = {
    Periodicity.MONTHLY: 1,
    Periodicity.QUARTERLY: 3,
    Periodicity.HALF_YEARLY: 6,
    Periodicity.YEARLY: 12,
}


@dataclass(frozen=True)
class Period:
    """One payment of the schedule: the month it is paid in and the days it is for."""

    payment_month: date  # the first day of that month
    starts: date
    ends: date


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def schedule_ends_on(starts_on: date, stops_on: date | None) -> date:
    """The last day paid: the day before payments stop (DR §24) or, when no stop is set, the end
    of the financial year of the start (DR §23: paid within the current year's budget), so a
    periodic grant for the next year needs the next year's decision and budget."""
    year_end = date(starts_on.year, 12, 31)
    return year_end if stops_on is None else min(stops_on - timedelta(days=1), year_end)


def schedule(periodicity: Periodicity, starts_on: date, stops_on: date | None) -> list[Period]:
    """The payments of a grant: one for one-off assistance; for periodic assistance one per
    period from the start, the first in the start's month, each covering whole calendar months
    (the first from the start day), the last cut at the schedule's end. Amounts are not
    pro-rated: the decision's amount is per payment (DR §2 item 11, the ceiling per payment)."""
    ends_on = schedule_ends_on(starts_on, stops_on)
    if periodicity is Periodicity.ONE_OFF:
        return [Period(month_start(starts_on), starts_on, starts_on)]
    months = PERIOD_MONTHS[periodicity]
    periods, start = [], starts_on
    while start <= ends_on:
        following = add_months(start, months)
        periods.append(Period(month_start(start), start, min(following - timedelta(1), ends_on)))
        start = following
    return periods


def owed(period_starts: date, stops_on: date | None) -> bool:
    """A payment is owed when its period began before payments stopped (DR §24). A period that
    began before the stop is paid whole; one beginning on or after it is not owed, and if it
    was paid, the sum is an overpayment to recover (DR §34)."""
    return stops_on is None or period_starts < stops_on


# ---------------------------------------------------------------- terms


class PaymentTerm(StrEnum):
    REQUEST = "request"  # the State Corporation forms the budget request (§30)
    APPLICATION = "application"  # it sends the department the application for the sum (§31)
    TRANSFER = "transfer"  # the department transfers the money (§31)
    PAYMENT = "payment"  # the State Corporation pays into the accounts (§32)
    RETURN_RECORDED = "return_recorded"  # a returned payment entered in the system (§33)
    OVERPAYMENT_REFUND = "overpayment_refund"  # overpaid sums sent back to the department (§34)


class PaymentEvent(StrEnum):
    PAYABLE = "payable"  # the day a one-off payment is due: its decision's start
    PAYMENT_MONTH = "payment_month"  # the first day of the month a periodic payment is paid in
    REQUEST_FORMED = "request_formed"  # the register sent to the State Corporation
    APPLICATION_RECEIVED = "application_received"
    TRANSFERRED = "transferred"
    RETURN_LEARNED = "return_learned"  # the results naming a returned payment imported
    OVERPAYMENT_FOUND = "overpayment_found"


class Count(StrEnum):
    WORKING_DAYS = "working_days"  # n working days after the event's day (0: that day or next)
    DAY_OF_MONTH = "day_of_month"  # calendar day n of the month `month` from the payment month
    LAST_WORKING_DAY = "last_working_day"  # of the event's month


@dataclass(frozen=True)
class PaymentTermRule:
    term: PaymentTerm
    starts: PaymentEvent
    count: Count
    n: int = 0
    month: int = 0  # DAY_OF_MONTH: months from the payment month (-1: the month before)
    periodic: bool | None = None  # only periodic payments (True), only one-off (False), or both
    # The row holds only for an event after this day of the month before the payment month.
    after_day_of_month_before: int | None = None
    law: str = ""


# The first row of a term that holds wins: the special rules come before the general ones.
PAYMENT_TERM_RULES: tuple[PaymentTermRule, ...] = (
    PaymentTermRule(
        PaymentTerm.REQUEST,
        PaymentEvent.PAYABLE,
        Count.WORKING_DAYS,
        0,
        periodic=False,
        law="DR §30: one-off payments, daily",
    ),
    # A month without a 29th (February) ends on its last day.
    PaymentTermRule(
        PaymentTerm.REQUEST,
        PaymentEvent.PAYMENT_MONTH,
        Count.DAY_OF_MONTH,
        29,
        month=-1,
        periodic=True,
        law="DR §30: by the 29th of the month before the payment month",
    ),
    PaymentTermRule(
        PaymentTerm.APPLICATION,
        PaymentEvent.REQUEST_FORMED,
        Count.WORKING_DAYS,
        1,
        law="DR §31 ¶1: no later than the next working day",
    ),
    # Replaces the 2 working days (a special rule): an application received on 28 January is
    # due by 1 February, a calendar day, kept even when it is a day off.
    PaymentTermRule(
        PaymentTerm.TRANSFER,
        PaymentEvent.APPLICATION_RECEIVED,
        Count.DAY_OF_MONTH,
        1,
        month=0,
        periodic=True,
        after_day_of_month_before=27,
        law="DR §31 ¶3: received after the 27th, by the 1st of the payment month",
    ),
    PaymentTermRule(
        PaymentTerm.TRANSFER,
        PaymentEvent.APPLICATION_RECEIVED,
        Count.WORKING_DAYS,
        2,
        law="DR §31 ¶2: within 2 working days of the application",
    ),
    PaymentTermRule(
        PaymentTerm.PAYMENT,
        PaymentEvent.TRANSFERRED,
        Count.WORKING_DAYS,
        2,
        law="DR §32: within 2 working days of the transfer",
    ),
    PaymentTermRule(
        PaymentTerm.RETURN_RECORDED,
        PaymentEvent.RETURN_LEARNED,
        Count.WORKING_DAYS,
        3,
        law="DR §33: within 3 working days of learning of it",
    ),
    PaymentTermRule(
        PaymentTerm.OVERPAYMENT_REFUND,
        PaymentEvent.OVERPAYMENT_FOUND,
        Count.LAST_WORKING_DAY,
        law="DR §34: by the last working day of the current month",
    ),
)


def last_working_day(calendar: WorkingCalendar, day: date) -> date:
    return calendar.add_working_days(month_end(day) + timedelta(days=1), -1)


def _holds(rule: PaymentTermRule, event_day: date, payment_month: date, periodic: bool) -> bool:
    if rule.periodic is not None and rule.periodic is not periodic:
        return False
    if rule.after_day_of_month_before is not None:
        before = add_months(payment_month, -1)
        return before.replace(day=rule.after_day_of_month_before) < event_day < payment_month
    return True


def _due(calendar: WorkingCalendar, rule: PaymentTermRule, event_day: date, month: date) -> date:
    if rule.count is Count.WORKING_DAYS:
        return calendar.add_working_days(event_day, rule.n)
    if rule.count is Count.DAY_OF_MONTH:
        target = add_months(month, rule.month)
        return target.replace(day=min(rule.n, month_end(target).day))
    return last_working_day(calendar, event_day)


def payment_terms(
    calendar: WorkingCalendar,
    events: Mapping[PaymentEvent, date],
    *,
    payment_month: date,
    periodic: bool,
) -> dict[PaymentTerm, tuple[date, PaymentTermRule]]:
    """The last day of every term whose starting event has happened, with the row it came from."""
    terms: dict[PaymentTerm, tuple[date, PaymentTermRule]] = {}
    for rule in PAYMENT_TERM_RULES:
        day = events.get(rule.starts)
        if rule.term in terms or day is None or not _holds(rule, day, payment_month, periodic):
            continue
        terms[rule.term] = (_due(calendar, rule, day, payment_month), rule)
    return terms


class PaymentStatus(StrEnum):
    """Where one payment of the schedule is."""

    SCHEDULED = "scheduled"  # waiting for its month's register
    SENT = "sent"  # in a register sent to the State Corporation
    PAID = "paid"
    RETURNED = "returned"  # the paying organisation sent it back (§33); paid again when fixed
    CANCELLED = "cancelled"  # sent, then no longer owed after a termination (DR §24)
