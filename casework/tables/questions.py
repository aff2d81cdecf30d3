"""Questions people ask the department, and the staff's answers (casework/law/questions.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.law.questions import Via
from casework.tables.base import Base, UTCDateTime, enum_column


class Question(Base):
    """One question and its answer. Only a proven asker's question names the applicant and the
    case: an account that has not proven its IIN asks in general, and is told nothing of a case."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    via: Mapped[Via] = mapped_column(enum_column(Via))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locale: Mapped[str] = mapped_column(String(2))
    text: Mapped[str] = mapped_column(Text)  # the person's words, as written
    # Who asked: the Telegram account, or the phone the SMS came from (and its message id).
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    phone: Mapped[str | None] = mapped_column(String(16), index=True)
    message_id: Mapped[str | None] = mapped_column(String(64))
    # A proven asker (SR §15: the MCDB-registered phone; a proven Telegram link) and their case.
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)

    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_by: Mapped[str | None] = mapped_column(String(200))  # the name, as audits keep it
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
