"""Staff accounts. A staff member authenticates with a bearer token; only its SHA-256 is stored,
so a leaked database does not let anyone act as staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.law.roles import Action, Role, may
from casework.tables.base import Base, UTCDateTime, enum_column


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name goes into the audit trail and onto receipts, so it must tell people apart.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def may(self, action: Action) -> bool:
        return self.active and may(self.role, action)
