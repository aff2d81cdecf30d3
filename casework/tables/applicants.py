"""The people who apply: identity, language, contact."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.tables.base import Base, UTCDateTime

if TYPE_CHECKING:
    from casework.tables.applications import Application


def full_name(last: str | None, first: str | None, middle: str | None) -> str:
    """A person's name as every view writes it: surname, name, patronymic."""
    return " ".join(p for p in (last, first, middle) if p)


class Applicant(Base):
    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    last_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_name: Mapped[str | None] = mapped_column(String(100))
    # When the name was given by the person (in the bot) or by staff from a document: only such a
    # name greets anyone in a notice (a Telegram profile's name never does).
    name_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    phone: Mapped[str | None] = mapped_column(String(16))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    sms_opt_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "СТОП": optional only
    # The link is proven (SR §6, DR §13): by the phone the MCDB registers to the IIN, by a code
    # sent to it, or by staff in person. Until then the account sees no case it did not file.
    telegram_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    telegram_verified_how: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    applications: Mapped[list[Application]] = relationship(back_populates="applicant")

    @property
    def telegram_verified(self) -> bool:
        return self.telegram_id is not None and self.telegram_verified_at is not None

    @property
    def full_name(self) -> str:
        return full_name(self.last_name, self.first_name, self.middle_name)


class AccountLinkEvent(Base):
    """Every link of a Telegram account to an applicant, its proof, and every revoke."""

    __tablename__ = "account_link_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(20))  # linked, verified, revoked
    how: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
