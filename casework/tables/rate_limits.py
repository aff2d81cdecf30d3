"""Send rates shared by every worker on PostgreSQL (gateway/providers/limits.py): one row per
limited key (a provider account, a bot, one chat) holding the earliest moment its next send may
start. Epoch seconds on the database's clock, so workers on different hosts agree; written only
by the `rate_take` function (migration 0018), which locks the row for the one statement a take
costs. Unused on SQLite, where the single embedded worker paces itself in memory."""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.tables.base import Base


class RateLimit(Base):
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[float] = mapped_column(Double)
