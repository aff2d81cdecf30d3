"""Holiday assistance recipient lists (DR §12, §28), as imported, and what became of each row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.tables.base import Base, UTCDateTime


class HolidayList(Base):
    """One imported recipient list for one holiday of one year."""

    __tablename__ = "holiday_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    holiday: Mapped[str] = mapped_column(String(5))  # MM-DD, as in the district file
    year: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipients: Mapped[list[HolidayRecipient]] = relationship(
        back_populates="holiday_list", order_by="HolidayRecipient.line"
    )


class HolidayRecipient(Base):
    __tablename__ = "holiday_recipients"
    __table_args__ = (UniqueConstraint("list_id", "iin", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("holiday_lists.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    iin: Mapped[str] = mapped_column(String(12), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(16))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))

    holiday_list: Mapped[HolidayList] = relationship(back_populates="recipients")
