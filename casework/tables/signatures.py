"""One-time codes sent to confirm an action, and the signatures that certify a bot filing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.law.signing import SignMethod
from casework.tables.base import Base, UTCDateTime, enum_column


class OneTimeCode(Base):
    """A code sent by SMS: only its salted hash is kept; it expires, and allows a few tries."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))  # the notice kind that carried it
    phone: Mapped[str] = mapped_column(String(16))
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Signature(Base):
    """A filing certified by its applicant (SR §6): the digest of what was signed, how, when."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    method: Mapped[SignMethod] = mapped_column(enum_column(SignMethod))
    content_sha256: Mapped[str] = mapped_column(String(64))
    signer_iin: Mapped[str] = mapped_column(String(12))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("one_time_codes.id"))
    witnessed_by: Mapped[str | None] = mapped_column(String(200))  # staff, in person
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
