"""Every term of the case on real dates, Kazakhstan's 2025-2026 calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from casework.law.calendar import WorkingCalendar
from casework.law.terms import TERM_RULES, Event, Term, compute_terms, is_late

ALMATY = timezone(timedelta(hours=5))


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_one_rule_per_term_in_case_order_each_citing_the_law() -> None:
    assert [rule.term for rule in TERM_RULES] == list(Term)
    assert all(rule.law for rule in TERM_RULES)


def test_filing_after_hours_before_nauryz(cal: WorkingCalendar) -> None:
    # Friday 20 March 2026, 18:45 in Almaty; 21-25 March are Nauryz days off.
    terms = compute_terms(cal, {Event.RECEIVED: datetime(2026, 3, 20, 13, 45, tzinfo=UTC)})
    assert terms == {
        Term.REGISTRATION: date(2026, 3, 26),
        Term.PRECINCT_FORWARDING: date(2026, 3, 27),
        Term.DECISION: date(2026, 4, 7),
        Term.PRELIMINARY_REFUSAL_LATEST: date(2026, 4, 2),
    }


def test_decision_and_preliminary_refusal_across_nauryz(cal: WorkingCalendar) -> None:
    # Registered Thursday 12 March 2026: 8 working days skip 21-25 March.
    terms = compute_terms(cal, {Event.REGISTERED: date(2026, 3, 12)})
    assert terms[Term.DECISION] == date(2026, 3, 27)
    # Three working days back from Friday 27 March jump over Nauryz: 26, 20, 19.
    assert terms[Term.PRELIMINARY_REFUSAL_LATEST] == date(2026, 3, 19)


def test_extended_decision_takes_20_working_days(cal: WorkingCalendar) -> None:
    terms = compute_terms(cal, {Event.REGISTERED: date(2026, 3, 12)}, extended=True)
    assert terms[Term.DECISION] == date(2026, 4, 14)
    assert terms[Term.PRELIMINARY_REFUSAL_LATEST] == date(2026, 4, 9)


def test_no_precinct_forwarding_without_inspection(cal: WorkingCalendar) -> None:
    terms = compute_terms(cal, {Event.REGISTERED: date(2026, 3, 12)}, needs_inspection=False)
    assert Term.PRECINCT_FORWARDING not in terms
    assert terms[Term.DECISION] == date(2026, 3, 27)


def test_terms_without_their_event_are_absent(cal: WorkingCalendar) -> None:
    terms = compute_terms(cal, {Event.REGISTERED: date(2026, 3, 12)})
    assert set(terms) == {Term.PRECINCT_FORWARDING, Term.DECISION, Term.PRELIMINARY_REFUSAL_LATEST}
    assert compute_terms(cal, {}) == {}


def test_recorded_registration_wins_over_the_derived_one(cal: WorkingCalendar) -> None:
    terms = compute_terms(
        cal,
        {
            Event.RECEIVED: datetime(2026, 3, 12, 10, 0, tzinfo=ALMATY),
            Event.REGISTERED: date(2026, 3, 13),
        },
    )
    assert terms[Term.REGISTRATION] == date(2026, 3, 12)
    assert terms[Term.PRECINCT_FORWARDING] == date(2026, 3, 16)


def test_income_computation_after_1_may(cal: WorkingCalendar) -> None:
    # Inspection back Thursday 30 April 2026; 1 May (Friday) is a holiday.
    terms = compute_terms(cal, {Event.INSPECTION_RETURNED: date(2026, 4, 30)})
    assert terms == {Term.INCOME_COMPUTATION: date(2026, 5, 4)}


def test_objection_across_7_and_observed_9_may(cal: WorkingCalendar) -> None:
    # Notice received Wednesday 6 May 2026: 7 May off, 8 May counts, 9 May (Saturday) is
    # observed on Monday 11 May, so the second working day is Tuesday 12 May.
    terms = compute_terms(cal, {Event.PRELIMINARY_REFUSAL_RECEIVED: date(2026, 5, 6)})
    assert terms == {Term.OBJECTION: date(2026, 5, 12)}


def test_protocol_remarks_across_new_year(cal: WorkingCalendar) -> None:
    terms = compute_terms(cal, {Event.PROTOCOL_READ: date(2025, 12, 30)})
    assert terms == {Term.PROTOCOL_REMARKS: date(2026, 1, 6)}


def test_chat_notice_counts_from_the_local_day_of_the_decision(cal: WorkingCalendar) -> None:
    # 19:30 UTC on Thursday 19 March is 00:30 on Friday 20 March in Almaty.
    terms = compute_terms(cal, {Event.DECIDED: datetime(2026, 3, 19, 19, 30, tzinfo=UTC)})
    assert terms == {Term.CHAT_NOTICE: date(2026, 3, 26)}


def test_is_late_from_local_midnight(cal: WorkingCalendar) -> None:
    deadline = date(2026, 3, 27)
    assert not is_late(cal, deadline, datetime(2026, 3, 27, 18, 59, tzinfo=UTC))  # 23:59 local
    assert is_late(cal, deadline, datetime(2026, 3, 27, 19, 0, tzinfo=UTC))  # 00:00 on the 28th
    with pytest.raises(ValueError):
        is_late(cal, deadline, datetime(2026, 3, 28))
