"""Decisions, the assistance a grant assigns, and its termination."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.law.rules import Periodicity, TerminationGround
from casework.tables.base import Base, Money, UTCDateTime, enum_column

if TYPE_CHECKING:
    from casework.tables.applications import Application


class Decision(Base):
    """SR App. 5 (DR App. 4): granted with an assistance, or refused on DR §22 grounds."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    refusal_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="decisions")
    assistance: Mapped[Assistance | None] = relationship(back_populates="decision")


class Assistance(Base):
    __tablename__ = "assistance"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(60))  # a code from the district file
    amount: Mapped[Decimal] = mapped_column(Money)
    periodicity: Mapped[Periodicity] = mapped_column(enum_column(Periodicity))
    starts_on: Mapped[date] = mapped_column(Date)
    stops_on: Mapped[date | None] = mapped_column(Date)

    decision: Mapped[Decision] = relationship(back_populates="assistance")
    termination: Mapped[Termination | None] = relationship(back_populates="assistance")


class Termination(Base):
    __tablename__ = "terminations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assistance_id: Mapped[int] = mapped_column(ForeignKey("assistance.id"), unique=True)
    ground: Mapped[TerminationGround] = mapped_column(enum_column(TerminationGround))
    # DR §24 counts from the day the circumstance began, not from the day staff found it.
    began_on: Mapped[date] = mapped_column(Date)
    found_on: Mapped[date] = mapped_column(Date)
    payment_stops_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assistance: Mapped[Assistance] = relationship(back_populates="termination")
