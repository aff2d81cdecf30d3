from decimal import Decimal as D

import pytest

from casework.law.income import assess_income

THRESHOLD = D(46228)  # one subsistence minimum, 2025 placeholder value


def test_family_below_threshold():
    # Father's wage, mother on childcare benefit, two children without income.
    result = assess_income([D(120000), D("35000.50"), D(0), D(0)], THRESHOLD)
    assert result.family_income == D("155000.50")
    assert result.members == 4
    assert result.per_capita == D("38750.13")  # 38750.125 rounds half up
    assert result.threshold == THRESHOLD
    assert result.eligible


def test_equal_to_threshold_is_eligible():
    result = assess_income([D(92456), D(0)], THRESHOLD)
    assert result.per_capita == THRESHOLD
    assert result.eligible


def test_one_tiyn_above_threshold_is_not():
    result = assess_income([D("92456.02"), D(0)], THRESHOLD)
    assert result.per_capita == D("46228.01")
    assert not result.eligible


def test_comparison_uses_the_rounded_per_capita():
    # 138684.01 / 3 = 46228.0033… → 46228.00, not above the threshold.
    result = assess_income([D("138684.01"), D(0), D(0)], THRESHOLD)
    assert result.per_capita == D("46228.00")
    assert result.eligible


def test_single_person_without_income():
    result = assess_income([D(0)], THRESHOLD)
    assert (result.family_income, result.per_capita, result.eligible) == (0, 0, True)


def test_half_up_rounding():
    assert assess_income([D("0.01"), D(0)], THRESHOLD).per_capita == D("0.01")  # 0.005 → 0.01
    assert assess_income([D(100), D(0), D(0)], THRESHOLD).per_capita == D("33.33")


def test_no_members_rejected():
    with pytest.raises(ValueError, match="member"):
        assess_income([], THRESHOLD)


def test_negative_income_rejected():
    with pytest.raises(ValueError, match="negative"):
        assess_income([D(50000), D(-1)], THRESHOLD)


def test_float_rejected():
    with pytest.raises(TypeError):
        assess_income([50000.1], THRESHOLD)  # type: ignore[list-item]
