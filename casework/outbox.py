"""The outbox: every notice the law requires, written with the case change that causes it.

A row is the whole story of one notice: which channel was chosen and why, the text in the
applicant's language, and what the provider said. The delivery worker (gateway/worker.py) moves
it; nothing here talks to the outside world.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime
from casework.i18n import N_
from casework.models import _enum
from casework.notices import NoticeKind


class NoticeChannel(StrEnum):
    SMS = "sms"
    CHAT = "chat"
    PRINT = "print"


class NoticeStatus(StrEnum):
    QUEUED = "queued"  # waiting for its due time (first try or a retry)
    SENDING = "sending"  # claimed by a worker; the sweeper re-queues it if the worker dies
    SENT = "sent"  # the provider took it; its delivery receipt is awaited
    DELIVERED = "delivered"  # final: it reached the phone or the chat
    TO_PRINT = "to_print"  # in the print queue: chosen so, or SMS/chat failed for good
    HANDED_OVER = "handed_over"  # final: printed and handed over at the office


# A status may only move forward: a late provider callback never undoes a later one.
STATUS_RANK: dict[NoticeStatus, int] = {
    NoticeStatus.QUEUED: 0,
    NoticeStatus.SENDING: 1,
    NoticeStatus.SENT: 2,
    NoticeStatus.DELIVERED: 3,
    NoticeStatus.TO_PRINT: 3,
    NoticeStatus.HANDED_OVER: 4,
}
FINAL_STATUSES = frozenset({NoticeStatus.DELIVERED, NoticeStatus.HANDED_OVER})


class ChannelReason(StrEnum):
    """Why a notice goes the way it goes (SR §15, DR §21), kept on the row for staff to see."""

    MCDB_REGISTERED = "mcdb_registered"
    FILED_IN_BOT = "filed_in_bot"
    NO_REGISTERED_PHONE = "no_registered_phone"
    SMS_FAILED = "sms_failed"
    CHAT_FAILED = "chat_failed"
    SHOWN_WHEN_FILED = "shown_when_filed"


REASON_LABELS: dict[ChannelReason, str] = {
    ChannelReason.MCDB_REGISTERED: N_(
        "The phone in the application is registered to the applicant in the mobile citizens "
        "database"
    ),
    ChannelReason.FILED_IN_BOT: N_("The application was filed through the Telegram bot"),
    ChannelReason.NO_REGISTERED_PHONE: N_(
        "No phone registered to the applicant in the mobile citizens database and no chat"
    ),
    ChannelReason.SMS_FAILED: N_("The SMS could not be delivered"),
    ChannelReason.CHAT_FAILED: N_("The chat message could not be delivered"),
    ChannelReason.SHOWN_WHEN_FILED: N_("Shown in the chat when the application was filed"),
}


class Broadcast(Base):
    """One staff action that sends the same kind of notice to many applicants."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        # The worker's claim query: due rows in one status, oldest first.
        Index("ix_notices_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    locale: Mapped[str] = mapped_column(String(2))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    channel: Mapped[NoticeChannel] = mapped_column(_enum(NoticeChannel))
    channel_reason: Mapped[ChannelReason] = mapped_column(_enum(ChannelReason))
    # The channel that failed for good before the notice fell back to print.
    failed_channel: Mapped[NoticeChannel | None] = mapped_column(_enum(NoticeChannel))
    address: Mapped[str | None] = mapped_column(String(32))  # E.164 phone or Telegram chat id
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # the full text: chat and print
    sms_text: Mapped[str] = mapped_column(Text)  # the short SMS version
    segments: Mapped[int | None] = mapped_column(Integer)

    status: Mapped[NoticeStatus] = mapped_column(_enum(NoticeStatus), default=NoticeStatus.QUEUED)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    provider_status: Mapped[str | None] = mapped_column(String(30))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_by: Mapped[str | None] = mapped_column(String(200))


class McdbEntry(Base):
    """One row of the mobile citizens database: this phone is verified for this IIN."""

    __tablename__ = "mcdb_entries"
    __table_args__ = (UniqueConstraint("iin", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), index=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
