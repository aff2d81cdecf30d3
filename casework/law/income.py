"""Average per-capita income (DR §2 item 7): the family's monthly income shared by every member.

Eligibility on ground 4 (DR §8) is income *not above* the threshold, and refusal (DR §22 item 3)
is income *above* it, so a per-capita income equal to the threshold qualifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_KOPECK = Decimal("0.01")  # tiyn: amounts are kept to two decimals


@dataclass(frozen=True)
class IncomeAssessment:
    family_income: Decimal
    members: int
    per_capita: Decimal
    threshold: Decimal
    eligible: bool


def assess_income(monthly_incomes: Sequence[Decimal], threshold: Decimal) -> IncomeAssessment:
    """One entry per family member (0 for a member without income), all monthly, in tenge."""
    if not monthly_incomes:
        raise ValueError("a family has at least one member")
    if any(isinstance(income, float) for income in (*monthly_incomes, threshold)):
        # Binary floats cannot hold tiyn exactly; money enters as Decimal (or int).
        raise TypeError("pass amounts as Decimal, not float")
    if any(income < 0 for income in monthly_incomes):
        raise ValueError("income cannot be negative")
    if threshold < 0:
        raise ValueError("threshold cannot be negative")
    family_income = sum(monthly_incomes, Decimal(0))
    members = len(monthly_incomes)
    per_capita = (family_income / members).quantize(_KOPECK, rounding=ROUND_HALF_UP)
    return IncomeAssessment(
        family_income=family_income,
        members=members,
        per_capita=per_capita,
        threshold=threshold,
        eligible=per_capita <= threshold,
    )
