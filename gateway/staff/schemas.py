"""What staff send and get back; enumerations are the domain's own, so OpenAPI lists them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from casework.law.identity import IIN, OptionalPhone
from casework.law.procedure import Step
from casework.law.roles import Role
from casework.law.rules import (
    Channel,
    DocumentKind,
    Filer,
    Ground,
    HearingMode,
    Periodicity,
    RefusalGround,
    TerminationGround,
)
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps.deadlines import Urgency
from casework.texts.storable import is_storable

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
# Tenge with its tiyn, always two places, as a string (no float rounding on the client).
MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if not all(is_storable(text) for text in _texts(value)):
            raise ValueError("the text has a NUL or an invalid character")
        return value


def _texts(value: Any) -> Iterator[str]:
    """Every string in a request value, however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


# ---------------------------------------------------------------- requests


class FamilyMemberIn(_In):
    full_name: Annotated[str, Field(min_length=1, max_length=300)]
    monthly_income: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class DocumentIn(_In):
    """A paper document seen at intake: its kind, what it is, until when it is valid."""

    kind: DocumentKind
    title: Annotated[str, Field(min_length=1, max_length=255)]
    valid_until: date | None = None


class TakeIn(_In):
    iin: IIN
    last_name: Annotated[str, Field(min_length=1, max_length=100)]
    first_name: Annotated[str, Field(min_length=1, max_length=100)]
    middle_name: Annotated[str | None, Field(max_length=100)] = None
    locale: Literal["kk", "ru"] = "kk"
    phone: OptionalPhone = None
    ground: Ground
    filer: Filer = Filer.SELF
    representative_name: Annotated[str | None, Field(max_length=200)] = None
    # The person a representative files for, as in the power of attorney (DR §13).
    represented_iin: IIN | None = None
    settlement: Annotated[str | None, Field(max_length=200)] = None
    address: Annotated[str | None, Field(max_length=300)] = None
    family: list[FamilyMemberIn] = []
    documents: list[DocumentIn] = []
    # Where to pay if granted (DR §23): a Kazakhstan IBAN, checked in the use case so a refusal
    # names its reason in kk and ru.
    iban: Annotated[str | None, Field(max_length=64)] = None


class DocumentsIn(_In):
    documents: Annotated[list[DocumentIn], Field(min_length=1)]


class TextIn(_In):
    text: Text


class ExtensionIn(_In):
    reason: Text


class IncomesIn(_In):
    family: Annotated[list[FamilyMemberIn], Field(min_length=1)]


class HearingIn(_In):
    date: date
    time: time
    mode: HearingMode
    # The videoconference link, the information system, or the place and means.
    details: Annotated[str | None, Field(max_length=1000)] = None

    @model_validator(mode="after")
    def _details_for_remote(self) -> Self:
        if self.mode is not HearingMode.OTHER and not (self.details or "").strip():
            raise ValueError("a videoconference or information-system hearing needs its link")
        return self


class PreliminaryRefusalIn(_In):
    grounds: Annotated[list[RefusalGround], Field(min_length=1)]
    hearing: HearingIn


class ObjectionIn(_In):
    oral: bool = True
    text: Annotated[str | None, Field(max_length=10_000)] = None


class GrantIn(_In):
    kind: Annotated[str, Field(min_length=1, max_length=60)]
    amount: Money
    periodicity: Periodicity
    starts_on: date | None = None
    # A grant over the year's budget (DR §23) is refused with `over_budget` unless confirmed.
    over_budget_confirmed: bool = False


class RefuseIn(_In):
    grounds: Annotated[list[RefusalGround], Field(min_length=1)]


class TerminateIn(_In):
    ground: TerminationGround
    # DR §24: payments stop by the day the circumstance began, not the day it was found.
    began_on: date
    found_on: date


class OverrideIn(_In):
    working: bool
    note: Annotated[str | None, Field(max_length=300)] = None


# ---------------------------------------------------------------- answers


class ApplicantOut(BaseModel):
    iin: str
    full_name: str
    phone: str | None
    locale: str


class DocumentOut(BaseModel):
    id: int
    kind: DocumentKind
    file_name: str
    valid_until: date | None


class DeadlineOut(BaseModel):
    term: Term
    due_on: date
    met_at: datetime | None


class IncomeOut(BaseModel):
    per_capita: MoneyOut
    threshold: MoneyOut
    above_threshold: bool


class ProtocolOut(BaseModel):
    text: str
    made_by: str
    made_at: datetime
    read_at: datetime | None
    remarks: list[str]


class HearingOut(BaseModel):
    id: int
    refusal_grounds: list[RefusalGround]
    scheduled_at: datetime
    mode: HearingMode
    details: str | None
    issued_at: datetime
    received_at: datetime | None
    held_at: datetime | None
    objections: int
    protocol: ProtocolOut | None


class ReasonOut(BaseModel):
    rule: str
    law: str
    missing: str
    lawful_from: date | None


class ActionOut(BaseModel):
    """A step of the procedure, whether this staff member's role may take it, the legal term it
    serves and that term's last day; for a later or blocked step, why (law/procedure.py)."""

    step: Step
    permitted: bool
    term: Term | None
    due_on: date | None
    lawful_from: date | None = None
    reasons: list[ReasonOut] = []


class NextActionsOut(BaseModel):
    now: list[ActionOut]
    later: list[ActionOut]
    blocked: list[ActionOut]


class HearingTimeIn(_In):
    date: date
    time: time


class TerminationOut(BaseModel):
    ground: TerminationGround
    began_on: date
    found_on: date
    payment_stops_on: date


class AssistanceOut(BaseModel):
    kind: str
    amount: MoneyOut
    periodicity: Periodicity
    starts_on: date
    stops_on: date | None
    termination: TerminationOut | None


class AccountOut(BaseModel):
    """Where assistance is paid; the IBAN masked to its last 4 characters in every view."""

    iban: str
    bank_code: str
    bic: str | None
    bank_name: str | None


class DecisionOut(BaseModel):
    granted: bool
    refusal_grounds: list[RefusalGround]
    decided_by: str
    decided_at: datetime
    assistance: AssistanceOut | None


class CaseOut(BaseModel):
    id: int
    status: Status
    # Exactly what the applicant sees in the bot, in the applicant's language.
    applicant_status_text: str
    applicant: ApplicantOut
    channel: Channel
    ground: Ground | None
    filer: Filer | None
    representative_name: str | None
    represented_iin: str | None = None
    received_at: datetime | None
    received_by: str | None
    registered_on: date | None
    extended: bool
    extension_reason: str | None
    missing_documents: list[str] | None
    inspection_result: str | None
    income: IncomeOut | None
    commission_conclusion: str | None
    documents: list[DocumentOut]
    deadlines: list[DeadlineOut]
    hearings: list[HearingOut]
    decisions: list[DecisionOut]
    account: AccountOut | None = None
    # What stops the case from being paid: `granted_without_account`.
    payment_flags: list[str] = []


class CaseSummary(BaseModel):
    id: int
    status: Status
    iin: str
    full_name: str
    ground: Ground | None
    channel: Channel
    registered_on: date | None
    next_term: Term | None
    next_due_on: date | None


class BoardRow(BaseModel):
    application_id: int
    status: Status
    iin: str
    full_name: str
    term: Term
    due_on: date
    urgency: Urgency
    # Working days from today to the due day; negative when overdue.
    working_days_left: int


class StatusTextOut(BaseModel):
    locale: str
    text: str


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: Status | None
    to_status: Status | None
    reason: str | None


class OverrideOut(BaseModel):
    day: date
    working: bool
    note: str | None


class StaffOut(BaseModel):
    id: int
    name: str
    role: Role
    active: bool
    created_at: datetime


class RowErrorOut(BaseModel):
    line: int
    message: str


class HolidayCategoryOut(BaseModel):
    code: str
    name_kk: str
    name_ru: str
    amount: MoneyOut | None


class HolidayOut(BaseModel):
    date: str
    name_kk: str
    name_ru: str
    categories: list[HolidayCategoryOut]


class HolidayListOut(BaseModel):
    id: int
    holiday: str
    year: int
    file_name: str
    recipients: int
    imported_by: str
    imported_at: datetime
    granted_at: datetime | None
    errors: list[RowErrorOut] = []


class HolidayGrantOut(BaseModel):
    list_id: int
    application_ids: list[int]
    skipped_lines: list[int]
    # One broadcast per category; follow them at /staff/broadcasts/{id}.
    broadcast_ids: list[int]


class BroadcastIn(_In):
    """Pick the hearings: all on one day, or these cases (or both)."""

    hearing_date: date | None = None
    application_ids: Annotated[list[int] | None, Field(max_length=10_000)] = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.hearing_date is None and not self.application_ids:
            raise ValueError("give hearing_date or application_ids")
        return self


class BroadcastOut(BaseModel):
    id: int
    kind: str
    created_by: str
    created_at: datetime
    total: int
    counts: dict[str, int]
    # A large broadcast answers at once and writes its notices in the background: `filled` of
    # `targets` cases have theirs in the outbox; `filling` until all have.
    targets: int = 0
    filled: int = 0
    filling: bool = False


class ResendOut(BaseModel):
    resent: int
    broadcast: BroadcastOut


# ---------------------------------------------------------------- Telegram links


class LinkOut(BaseModel):
    applicant_id: int
    iin: str
    name: str
    telegram_id: int | None
    verified_at: datetime | None
    how: str | None


class LinkEventOut(BaseModel):
    telegram_id: int
    event: str
    how: str
    actor: str
    at: datetime


class ConfirmLinkIn(_In):
    # The number the bot shows the person ("show them this number").
    telegram_id: Annotated[int, Field(gt=0, lt=2**53)]
