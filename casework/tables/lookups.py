"""The lookup audit: which staff member searched for whom, when, and what they were shown.

A lookup reveals a person without changing a case, so the case audit trail never sees it; this
table does. The searched IIN is kept in full, like the applicants table keeps it, so an audit can
answer "who looked this person up"; it is shown masked to roles that may not see IINs.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.tables.base import Base, UTCDateTime, enum_column


class LookupKind(StrEnum):
    IIN = "iin"  # one person, by identity number
    DEADLINE = "deadline"  # cases by their next term or due day
    STATUS = "status"  # cases in some states
    ALL = "all"  # the latest cases, no filter
    NOTICE_PROOF = "notice_proof"  # one notice's proof of delivery, downloaded
    CASE = "case"  # one case opened by its number, or one of its documents


class StaffLookup(Base):
    __tablename__ = "staff_lookups"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[LookupKind] = mapped_column(enum_column(LookupKind))
    iin: Mapped[str | None] = mapped_column(String(12), index=True)
    # The other filters as the query string had them (statuses, terms, due range, limit).
    filters: Mapped[str] = mapped_column(String(1000))
    # How many cases were shown; a refused lookup showed none.
    found: Mapped[int] = mapped_column(Integer)
    refused: Mapped[bool] = mapped_column(Boolean)
