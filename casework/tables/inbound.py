"""Messages applicants sent us, kept by the provider's id so a replay is answered, not acted on
twice (a provider retries a webhook it thinks failed; an attacker may replay a signed one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.tables.base import Base, UTCDateTime


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("provider", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(64))
    # What we answered: a replay gets the same words. No sender or body: nothing personal here.
    reply: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
