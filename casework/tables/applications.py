"""An application and what is filed with it: family and incomes, documents, its legal terms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.law.rules import Channel, DocumentKind, Filer, Ground
from casework.law.status import Status
from casework.law.terms import Term
from casework.tables.base import Base, Money, UTCDateTime, enum_column

if TYPE_CHECKING:
    from casework.tables.applicants import Applicant
    from casework.tables.decisions import Decision
    from casework.tables.hearings import Hearing


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        # The staff lists walk these in their page order and stop at the page's end: a state's
        # cases newest first; the deadline board and work queue by the next term's last day.
        Index("ix_applications_status_id", "status", "id"),
        Index("ix_applications_next_due", "next_due_on", "id"),
        # The work queue's settlement filter lists them by walking this, one probe per name.
        Index("ix_applications_settlement", "settlement", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.DRAFT)
    filer: Mapped[Filer | None] = mapped_column(enum_column(Filer))
    representative_name: Mapped[str | None] = mapped_column(String(200))
    # A representative files for someone else (DR §13): whose IIN, as in the power of attorney.
    represented_iin: Mapped[str | None] = mapped_column(String(12))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    ground: Mapped[Ground | None] = mapped_column(enum_column(Ground))
    settlement: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    # Where the applicant wants notices: the number written in the application (SR §15).
    phone: Mapped[str | None] = mapped_column(String(16))
    # Where assistance is paid (DR §23): a checked Kazakhstan IBAN (casework/law/iban.py).
    iban: Mapped[str | None] = mapped_column(String(34))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registered_on: Mapped[date | None] = mapped_column(Date)
    received_by: Mapped[str | None] = mapped_column(String(200))
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    per_capita_income: Mapped[Decimal | None] = mapped_column(Money)
    income_threshold: Mapped[Decimal | None] = mapped_column(Money)
    inspection_result: Mapped[str | None] = mapped_column(Text)
    inspection_returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commission_conclusion: Mapped[str | None] = mapped_column(Text)
    missing_documents: Mapped[list[str] | None] = mapped_column(JSON)
    # Free-form answers the bot saves as they are given, so a filing survives restarts.
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The case's next running term and its last day, kept by casework/steps/deadlines.py on every
    # flush that touches the case or its terms; None while no term runs.
    next_term: Mapped[Term | None] = mapped_column(enum_column(Term))
    next_due_on: Mapped[date | None] = mapped_column(Date)

    applicant: Mapped[Applicant] = relationship(back_populates="applications")
    family: Mapped[list[FamilyMember]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="FamilyMember.id"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Document.id"
    )
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Deadline.due_on"
    )
    hearings: Mapped[list[Hearing]] = relationship(
        back_populates="application", order_by="Hearing.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="application", order_by="Decision.id"
    )

    def deadline(self, term: Term) -> date | None:
        return next((d.due_on for d in self.deadlines if d.term == term), None)

    @property
    def latest_hearing(self) -> Hearing | None:
        """The hearing of the latest preliminary refusal: the one the case is about now."""
        return self.hearings[-1] if self.hearings else None

    @property
    def latest_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None


class FamilyMember(Base):
    __tablename__ = "family_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    iin: Mapped[str | None] = mapped_column(String(12))
    relation: Mapped[str | None] = mapped_column(String(50))
    monthly_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))

    application: Mapped[Application] = relationship(back_populates="family")


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(500))
    valid_until: Mapped[date | None] = mapped_column(Date)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="documents")


class Deadline(Base):
    """A legal term computed from its starting event and kept on the case for all to see."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("application_id", "term"),
        # Open terms of one kind by last day: the board and queue narrowed to a term.
        Index(
            "ix_deadlines_open_term_due",
            "term",
            "due_on",
            "application_id",
            postgresql_where=text("met_at IS NULL"),
            sqlite_where=text("met_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    term: Mapped[Term] = mapped_column(enum_column(Term))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="deadlines")
