"""The outbox: every notice the law requires, written with the case change that causes it.

A row is the whole story of one notice: which channel was chosen and why, the text in the
applicant's language, and what the provider said. The delivery worker (gateway/worker.py) moves
it; nothing here talks to the outside world.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.tables.base import Base, UTCDateTime, enum_column


class Broadcast(Base):
    """One staff action that sends the same kind of notice to many applicants."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # What every notice of it says beyond its case (a holiday's name, year and category).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Filled in the background (steps/broadcast_fill.py): the cases it notifies, how many have
    # their notices written, and when the last were (None while filling).
    targets: Mapped[int] = mapped_column(Integer, default=0)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fill_beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a filler is alive


class BroadcastTarget(Base):
    """One case a broadcast notifies; `filled` once its notices are in the outbox."""

    __tablename__ = "broadcast_targets"
    __table_args__ = (Index("ix_broadcast_targets_broadcast_id_filled", "broadcast_id", "filled"),)

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    filled: Mapped[bool] = mapped_column(Boolean, default=False)


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        # The worker's claim query: due rows in one status, oldest first.
        Index("ix_notices_status_due_at", "status", "due_at"),
        # Takeover of lapsed leases, and notices at risk of their legal term.
        Index("ix_notices_status_lease_until", "status", "lease_until"),
        Index("ix_notices_status_deliver_by", "status", "deliver_by"),
        # Only the rows that have one (most notices have no broadcast, none a provider id until
        # sent): on PostgreSQL every update of a notice adds an entry to each index it is in.
        *(
            Index(
                f"ix_notices_{column}",
                column,
                postgresql_where=text(f"{column} IS NOT NULL"),
                sqlite_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("broadcast_id", "provider_id")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    locale: Mapped[str] = mapped_column(String(2))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    channel: Mapped[NoticeChannel] = mapped_column(enum_column(NoticeChannel))
    channel_reason: Mapped[ChannelReason] = mapped_column(enum_column(ChannelReason))
    # The channel that failed for good before the notice fell back to print.
    failed_channel: Mapped[NoticeChannel | None] = mapped_column(enum_column(NoticeChannel))
    address: Mapped[str | None] = mapped_column(String(32))  # E.164 phone or Telegram chat id
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # the full text: chat and print
    sms_text: Mapped[str] = mapped_column(Text)  # the short SMS version
    segments: Mapped[int | None] = mapped_column(Integer)

    status: Mapped[NoticeStatus] = mapped_column(
        enum_column(NoticeStatus), default=NoticeStatus.QUEUED
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A claim is a lease: the worker named here renews it while it works; once it lapses, any
    # worker may take the notice over (after asking the provider whether it was sent).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The moment the law needs the notice to have reached the applicant by (law/deliver_by.py);
    # retries go on until it is at risk, then the notice falls back to print. None: no term.
    deliver_by: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    provider_status: Mapped[str | None] = mapped_column(String(30))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_by: Mapped[str | None] = mapped_column(String(200))


class NoticeEvent(Base):
    """Every status a notice took, with its time: the proof-of-notice record. Written by
    database triggers (migrations 0017, 0022) on every insert and status or channel change, so no
    path that moves a notice (worker, receipt, hand-over, takeover) can forget it. `notice_id`
    has no foreign key: only those triggers write here, from the notice row itself, and notices
    are never deleted (a trigger refuses it); the key's check per event cost 40 % of the
    trigger."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[NoticeStatus] = mapped_column(enum_column(NoticeStatus))
    channel: Mapped[NoticeChannel] = mapped_column(enum_column(NoticeChannel))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    provider_status: Mapped[str | None] = mapped_column(String(30))
    error_code: Mapped[str | None] = mapped_column(String(20))


class WorkerBeat(Base):
    """A running delivery worker and its last heartbeat: `/ready` reads it, and a worker whose
    beat is old has died (its leases lapse on their own)."""

    __tablename__ = "worker_beats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Where a result is stored: a code too long for its column would fail the worker's whole batch.
ERROR_CODE_LENGTH: int = Notice.__table__.c.error_code.type.length  # type: ignore[attr-defined]
