"""Objections sent by SMS that wait for the applicant's "yes" before they are recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.tables.base import Base, UTCDateTime


class SmsConfirmation(Base):
    """One objection asked for by SMS: recorded only when the same phone answers yes in time.

    `first_at` is when the first message came: the objection counts from then (SR §15, DR §20:
    2 working days), so a "yes" a little after the window closed still records it.
    """

    __tablename__ = "sms_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(64))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # confirmed, cancelled, replaced, expired or refused (the case could no longer take it)
    outcome: Mapped[str | None] = mapped_column(String(20))
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"))
