"""Every reminder sent (law/reminders.py): one row per case, reminder and occasion, so that no
reminder goes twice, whichever worker or pass finds it due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.law.reminders import Reminder
from casework.tables.base import Base, UTCDateTime, enum_column


class SentReminder(Base):
    __tablename__ = "sent_reminders"
    # The one guard against a second send: two passes that find the same reminder both insert,
    # and the second insert fails.
    __table_args__ = (UniqueConstraint("application_id", "reminder", "occasion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reminder: Mapped[Reminder] = mapped_column(enum_column(Reminder))
    # What it was about: the hearing and its moment, a term's last day; a new hearing time or a
    # new preliminary refusal is a new occasion.
    occasion: Mapped[str] = mapped_column(String(60))
    # Outbox rows written: 0 when no channel could carry it (no registered phone, no chat).
    messages: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
