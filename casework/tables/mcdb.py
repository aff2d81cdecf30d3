"""The mobile citizens database's table: which phone is verified for which IIN."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.tables.base import Base, UTCDateTime


class McdbEntry(Base):
    """One row of the mobile citizens database: this phone is verified for this IIN."""

    __tablename__ = "mcdb_entries"
    __table_args__ = (UniqueConstraint("iin", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), index=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
