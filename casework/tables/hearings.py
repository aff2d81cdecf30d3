"""The preliminary refusal and its hearing: objections, the protocol, remarks on it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.law.rules import HearingMode
from casework.tables.base import Base, UTCDateTime, enum_column

if TYPE_CHECKING:
    from casework.tables.applications import Application


class Hearing(Base):
    """The preliminary refusal and the hearing it announces (SR §15, APPC art. 73)."""

    __tablename__ = "hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    refusal_grounds: Mapped[list[str]] = mapped_column(JSON)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    mode: Mapped[HearingMode] = mapped_column(enum_column(HearingMode))
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
