"""What staff send and get back about payments (DR §23, §29–§34)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from casework.law.payments import PaymentStatus, PaymentTerm
from casework.steps.deadlines import Urgency
from gateway.staff.schemas import AccountOut, Money, MoneyOut, RowErrorOut, _In

Tenge = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class AccountIn(_In):
    # Checked in the use case, so a refusal carries its reason in kk and ru.
    iban: Annotated[str, Field(min_length=1, max_length=64)]


class BudgetIn(_In):
    amount: Tenge


class RegisterIn(_In):
    """Periodic payments of a month (late ones too), or one-off payments payable by today."""

    periodic: bool = True
    payment_month: date | None = None  # any day of it; default: next month


class ApplicationIn(_In):
    received_on: date
    amount: Money


class TransferIn(_In):
    transferred_on: date
    amount: Money


class TermOut(BaseModel):
    term: PaymentTerm
    due_on: date
    done_on: date | None
    law: str


class PaymentDeadlineOut(BaseModel):
    """One term of a register's chain not met yet (README "Payments")."""

    register_id: int
    periodic: bool
    payment_month: date
    term: PaymentTerm
    due_on: date
    law: str
    urgency: Urgency


class PaymentOut(BaseModel):
    id: int
    kind: str
    payment_month: date
    period_from: date
    period_to: date
    amount: MoneyOut
    status: PaymentStatus
    register_id: int | None
    line: int | None
    paid_on: date | None
    returned_on: date | None
    return_reason: str | None
    overpaid_on: date | None
    refund_due_on: date | None
    terms: list[TermOut]


class PaymentHistoryOut(BaseModel):
    application_id: int
    account: AccountOut | None
    flags: list[str]
    payments: list[PaymentOut]


class BudgetLineOut(BaseModel):
    kind: str
    budget: MoneyOut | None
    committed: MoneyOut
    paid: MoneyOut
    remaining: MoneyOut | None


class BudgetOut(BaseModel):
    year: int
    kinds: list[BudgetLineOut]
    total: BudgetLineOut


class RegisterOut(BaseModel):
    id: int
    format_version: int
    periodic: bool
    payment_month: date
    formed_on: date
    count: int
    total: MoneyOut
    sha256: str
    created_by: str
    created_at: datetime
    application_received_on: date | None
    application_amount: MoneyOut | None
    transferred_on: date | None
    transferred_amount: MoneyOut | None
    terms: list[TermOut]
    counts: dict[str, int]  # lines by status
    without_account: list[int] = []  # cases owed a payment but with no account: not in it


class ResultImportOut(BaseModel):
    id: int
    register_id: int
    file_name: str
    paid: int
    returned: int
    errors: list[RowErrorOut]
    imported_by: str
    imported_at: datetime
