"""The case's tables. Enumerations live in `rules` and `lifecycle`; this module only stores them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import Base, UTCDateTime
from casework.deadlines import Term
from casework.lifecycle import Status
from casework.rules import (
    Channel,
    DocumentKind,
    Filer,
    Ground,
    HearingMode,
    Periodicity,
    TerminationGround,
)

Money = Numeric(14, 2)


def _enum(cls: type) -> Enum:
    # Store the values (readable in SQL) as plain strings, not native enum types: adding a value
    # later must not need a PostgreSQL type migration.
    return Enum(cls, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Applicant(Base):
    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    last_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_name: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    phone: Mapped[str | None] = mapped_column(String(16))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    applications: Mapped[list[Application]] = relationship(back_populates="applicant")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status), index=True, default=Status.DRAFT)
    filer: Mapped[Filer | None] = mapped_column(_enum(Filer))
    representative_name: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    ground: Mapped[Ground | None] = mapped_column(_enum(Ground))
    settlement: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    # Where the applicant wants notices: the number written in the application (SR §15).
    phone: Mapped[str | None] = mapped_column(String(16))
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
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
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
    __table_args__ = (UniqueConstraint("application_id", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    term: Mapped[Term] = mapped_column(_enum(Term))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="deadlines")


class Hearing(Base):
    """The preliminary refusal and the hearing it announces (SR §15, APPC art. 73)."""

    __tablename__ = "hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    refusal_grounds: Mapped[list[str]] = mapped_column(JSON)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    mode: Mapped[HearingMode] = mapped_column(_enum(HearingMode))
    details: Mapped[str | None] = mapped_column(Text)  # link, system or place
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The objection window runs from the applicant's receipt of the notice, not from its issue.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="hearings")
    objections: Mapped[list[Objection]] = relationship(
        back_populates="hearing", order_by="Objection.id"
    )
    protocol: Mapped[HearingProtocol | None] = relationship(back_populates="hearing")


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    oral: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(30))  # bot, sms, office
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    hearing: Mapped[Hearing] = relationship(back_populates="objections")


class HearingProtocol(Base):
    __tablename__ = "hearing_protocols"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(String(200))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The remarks window runs from the day the applicant read the protocol.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hearing: Mapped[Hearing] = relationship(back_populates="protocol")
    remarks: Mapped[list[ProtocolRemark]] = relationship(
        back_populates="protocol", order_by="ProtocolRemark.id"
    )


class ProtocolRemark(Base):
    __tablename__ = "protocol_remarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("hearing_protocols.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    protocol: Mapped[HearingProtocol] = relationship(back_populates="remarks")


class Decision(Base):
    """SR App. 5 (DR App. 4): granted with an assistance, or refused on DR §22 grounds."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    refusal_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="decisions")
    assistance: Mapped[Assistance | None] = relationship(back_populates="decision")


class Assistance(Base):
    __tablename__ = "assistance"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(60))  # a code from the district file
    amount: Mapped[Decimal] = mapped_column(Money)
    periodicity: Mapped[Periodicity] = mapped_column(_enum(Periodicity))
    starts_on: Mapped[date] = mapped_column(Date)
    stops_on: Mapped[date | None] = mapped_column(Date)

    decision: Mapped[Decision] = relationship(back_populates="assistance")
    termination: Mapped[Termination | None] = relationship(back_populates="assistance")


class Termination(Base):
    __tablename__ = "terminations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assistance_id: Mapped[int] = mapped_column(ForeignKey("assistance.id"), unique=True)
    ground: Mapped[TerminationGround] = mapped_column(_enum(TerminationGround))
    found_on: Mapped[date] = mapped_column(Date)
    payment_stops_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assistance: Mapped[Assistance] = relationship(back_populates="termination")


class AuditEvent(Base):
    """Who did what to a case, when, from which state to which, and why."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[Status | None] = mapped_column(_enum(Status))
    to_status: Mapped[Status | None] = mapped_column(_enum(Status))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CalendarOverride(Base):
    """A day the government or the akimat made off or made working, entered by staff."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))
