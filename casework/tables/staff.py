"""Staff accounts. The API takes a bearer token, the console a password and a session; only
hashes are stored (SHA-256 of the token, Argon2 of the password, SHA-256 of the session key), so a
leaked database does not let anyone act as staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
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
    # The console: no password until `komek staff add --password` or an administrator sets one.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(String(2), default="kk")

    def may(self, action: Action) -> bool:
        return self.active and may(self.role, action)


class StaffSession(Base):
    """A signed-in console session: ended by sign-out, by idle time, or by a password reset."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # every form posts it back
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
