"""The payment chain's terms (DR §30–§34) and schedules (DR §5, §23, §24) on real dates, and the
recipient's IBAN."""

from __future__ import annotations

from datetime import date

import pytest

from casework.law.calendar import WorkingCalendar
from casework.law.iban import InvalidIBAN, mask_iban, validate_kz_iban
from casework.law.payments import (
    PaymentEvent,
    PaymentTerm,
    Period,
    last_working_day,
    owed,
    payment_terms,
    schedule,
)
from casework.law.rules import Periodicity, TerminationGround, payment_stops_on
from casework.texts.payments import iban_problems

CAL = WorkingCalendar(timezone="Asia/Almaty")
E, T = PaymentEvent, PaymentTerm


def due(events: dict[PaymentEvent, date], month: date, *, periodic: bool = True) -> dict:  # type: ignore[type-arg]
    terms = payment_terms(CAL, events, payment_month=month, periodic=periodic)
    return {term: day for term, (day, _rule) in terms.items()}


def test_a_monthly_grant_from_15_december_2026_is_paid_for_december_only() -> None:
    # DR §23: within the current financial year; January needs the 2027 budget and decision.
    assert schedule(Periodicity.MONTHLY, date(2026, 12, 15), None) == [
        Period(date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 31))
    ]
    # Its request is due by the 29th of November (a Sunday: the law names a calendar day).
    terms = due({E.PAYMENT_MONTH: date(2026, 12, 1)}, date(2026, 12, 1))
    assert terms[T.REQUEST] == date(2026, 11, 29)


def test_periodic_schedules_run_to_the_year_end_or_the_stop() -> None:
    monthly = schedule(Periodicity.MONTHLY, date(2026, 3, 10), None)
    assert [p.payment_month.month for p in monthly] == list(range(3, 13))
    assert monthly[0].starts == date(2026, 3, 10) and monthly[0].ends == date(2026, 3, 31)
    quarterly = schedule(Periodicity.QUARTERLY, date(2026, 2, 1), None)
    assert [(p.starts, p.ends) for p in quarterly] == [
        (date(2026, 2, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 7, 31)),
        (date(2026, 8, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 12, 31)),
    ]
    assert len(schedule(Periodicity.HALF_YEARLY, date(2026, 1, 1), None)) == 2
    assert len(schedule(Periodicity.YEARLY, date(2026, 6, 1), None)) == 1
    assert schedule(Periodicity.ONE_OFF, date(2026, 6, 3), None) == [
        Period(date(2026, 6, 1), date(2026, 6, 3), date(2026, 6, 3))
    ]
    stopped = schedule(Periodicity.MONTHLY, date(2026, 1, 1), date(2026, 4, 1))
    assert [p.payment_month.month for p in stopped] == [1, 2, 3]


def test_death_stops_payments_from_the_next_month() -> None:
    stops = payment_stops_on(TerminationGround.DEATH, date(2026, 2, 10))
    assert stops == date(2026, 3, 1)
    assert owed(date(2026, 2, 1), stops) and not owed(date(2026, 3, 1), stops)


def test_an_application_received_on_28_january_is_due_by_1_february() -> None:
    terms = due({E.APPLICATION_RECEIVED: date(2026, 1, 28)}, date(2026, 2, 1))
    assert terms[T.TRANSFER] == date(2026, 2, 1)  # a Sunday: the law's own day
    # On the 27th the 2 working days still hold.
    assert due({E.APPLICATION_RECEIVED: date(2026, 1, 27)}, date(2026, 2, 1))[T.TRANSFER] == date(
        2026, 1, 29
    )
    # One-off payments have no payment month to wait for.
    one_off = due({E.APPLICATION_RECEIVED: date(2026, 1, 28)}, date(2026, 2, 1), periodic=False)
    assert one_off[T.TRANSFER] == date(2026, 1, 30)


def test_transfer_and_payment_over_nauryz() -> None:
    # 21–25 March 2026 are days off: Friday the 20th + 2 working days is Friday the 27th.
    terms = due(
        {E.APPLICATION_RECEIVED: date(2026, 3, 20), E.TRANSFERRED: date(2026, 3, 20)},
        date(2026, 4, 1),
    )
    assert terms[T.TRANSFER] == date(2026, 3, 27)
    assert terms[T.PAYMENT] == date(2026, 3, 27)
    assert due({E.REQUEST_FORMED: date(2026, 3, 20)}, date(2026, 4, 1))[T.APPLICATION] == date(
        2026, 3, 26
    )
    assert due({E.RETURN_LEARNED: date(2026, 3, 19)}, date(2026, 4, 1))[T.RETURN_RECORDED] == date(
        2026, 3, 27
    )


def test_overpayments_go_back_by_the_last_working_day_of_the_month() -> None:
    assert last_working_day(CAL, date(2026, 3, 5)) == date(2026, 3, 31)  # a Tuesday
    assert last_working_day(CAL, date(2026, 2, 5)) == date(2026, 2, 27)  # 28 Feb is a Saturday
    terms = due({E.OVERPAYMENT_FOUND: date(2026, 3, 12)}, date(2026, 3, 1))
    assert terms[T.OVERPAYMENT_REFUND] == date(2026, 3, 31)


def test_the_request_of_a_february_payment_month_without_a_29th() -> None:
    # January has a 29th; a March payment month asks by the last day of February.
    assert due({E.PAYMENT_MONTH: date(2026, 3, 1)}, date(2026, 3, 1))[T.REQUEST] == date(
        2026, 2, 28
    )
    one_off = due({E.PAYABLE: date(2026, 3, 21)}, date(2026, 3, 1), periodic=False)
    assert one_off[T.REQUEST] == date(2026, 3, 26)  # formed daily: the next working day


@pytest.mark.parametrize(
    "raw",
    ["KZ86125KZT5004100100", "kz86 125k zt50 0410 0100", "KZ86-125K-ZT50-0410-0100"],
)
def test_valid_kazakhstan_ibans(raw: str) -> None:
    account = validate_kz_iban(raw)
    assert account.iban == "KZ86125KZT5004100100"
    assert account.bic == "NBRKKZKX" and account.bank_name
    assert account.masked == "KZ••••••••••••••0100" == mask_iban(account.iban)


def test_the_bank_is_named_from_the_iban() -> None:
    assert validate_kz_iban("KZ866010000123456789").bic == "HSBKKZKX"  # Halyk
    assert validate_kz_iban("KZ667220000123456789").bic == "CASPKZKA"  # Kaspi


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("KZ87125KZT5004100100", "checksum"),
        ("DE89370400440532013000", "foreign"),
        ("RU0204452560040702810412345678901", "foreign"),
        ("KZ86125KZT50041", "too_short"),
        ("KZ86125KZT50041001001", "too_long"),
        ("86125KZT5004100100", "format"),
        ("KZ86125KZT50041001№0", "format"),
    ],
)
def test_bad_ibans_are_refused_with_a_reason_in_kk_and_ru(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIBAN) as caught:
        validate_kz_iban(raw)
    assert caught.value.reason == reason
    words = iban_problems(caught.value.reason)
    assert set(words) == {"kk", "ru"} and words["kk"] != words["ru"]
    assert "IBAN" in words["kk"] and "IBAN" in words["ru"]
