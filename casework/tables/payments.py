"""Paying granted assistance (DR §23, §29–§34): the year's budget per assistance kind, each
payment of a grant's schedule, the registers sent to the State Corporation and the results it
sends back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.law.payments import PaymentStatus
from casework.tables.base import Base, Money, UTCDateTime, enum_column


class Budget(Base):
    """What the district budget gives an assistance kind for one financial year (DR §23)."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(60))  # a code from the district file
    amount: Mapped[Decimal] = mapped_column(Money)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentRegister(Base):
    """One register sent to the State Corporation: its request, application and transfer."""

    __tablename__ = "payment_registers"

    id: Mapped[int] = mapped_column(primary_key=True)
    format_version: Mapped[int] = mapped_column(Integer)
    periodic: Mapped[bool] = mapped_column(Boolean)  # else one-off payments, formed daily
    payment_month: Mapped[date] = mapped_column(Date, index=True)  # its first day
    formed_on: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Money)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # DR §31: the State Corporation's application for the sum, and the department's transfer.
    application_received_on: Mapped[date | None] = mapped_column(Date)
    application_amount: Mapped[Decimal | None] = mapped_column(Money)
    transferred_on: Mapped[date | None] = mapped_column(Date)
    transferred_amount: Mapped[Decimal | None] = mapped_column(Money)

    entries: Mapped[list[PaymentEntry]] = relationship(
        back_populates="register", order_by="PaymentEntry.line"
    )


class PaymentEntry(Base):
    """One payment of a grant's schedule, and what became of it."""

    __tablename__ = "payment_entries"
    __table_args__ = (UniqueConstraint("register_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assistance_id: Mapped[int] = mapped_column(ForeignKey("assistance.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    periodic: Mapped[bool] = mapped_column(Boolean)
    payment_month: Mapped[date] = mapped_column(Date, index=True)
    period_starts: Mapped[date] = mapped_column(Date)
    period_ends: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus), index=True)
    register_id: Mapped[int | None] = mapped_column(ForeignKey("payment_registers.id"), index=True)
    line: Mapped[int | None] = mapped_column(Integer)
    iban: Mapped[str | None] = mapped_column(String(34))  # the account it was sent to
    paid_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(Text)
    # Paid for a period no longer owed after a termination (DR §24): recovered under DR §34.
    overpaid_on: Mapped[date | None] = mapped_column(Date)
    refund_due_on: Mapped[date | None] = mapped_column(Date)

    register: Mapped[PaymentRegister | None] = relationship(back_populates="entries")


class ResultImport(Base):
    """A results file the State Corporation sent back; its hash refuses a second import."""

    __tablename__ = "payment_result_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("payment_registers.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(255))
    paid: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    # Every line not applied, with its number and reason: nothing is lost silently.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
