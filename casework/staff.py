"""District staff, their roles, and which role may do which action (rules as data).

A staff member authenticates with a bearer token; only its SHA-256 is stored, so a leaked
database does not let anyone act as staff.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UTCDateTime
from casework.lifecycle import DomainError
from casework.models import _enum
from casework.rules import Channel


class Role(StrEnum):
    INTAKE_OFFICE = "intake_office"
    INTAKE_AKIM = "intake_akim"
    INTAKE_STATE_CORPORATION = "intake_state_corporation"
    COMMISSION_SECRETARY = "commission_secretary"
    DECISION_MAKER = "decision_maker"
    ADMINISTRATOR = "administrator"


class Action(StrEnum):
    TAKE_IN = "take_in"  # paper application, its documents, the completeness check
    REGISTER = "register"
    ROUTE = "route"  # precinct commission, inspection, incomes, special commission, conclusion
    EXTEND = "extend"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    HEARING = "hearing"  # oral objection, hearing, protocol, remarks
    DECIDE = "decide"
    TERMINATE = "terminate"
    VIEW_CASES = "view_cases"  # lookup, case file, deadline board
    VIEW_IIN = "view_iin"  # see identity numbers unmasked
    BROADCAST = "broadcast"
    HOLIDAY_IMPORT = "holiday_import"
    HOLIDAY_GRANT = "holiday_grant"
    PRINT_QUEUE = "print_queue"  # printed notices to hand over in person (SR §15)
    CALENDAR = "calendar"
    MANAGE_STAFF = "manage_staff"


A = Action
_INTAKE = frozenset({A.TAKE_IN, A.VIEW_CASES, A.VIEW_IIN, A.PRINT_QUEUE})

# Who may do what. The provider's office registers; the akim and the State Corporation accept
# and hand results over (DOMAIN.md "Actors"); deciding is the decision maker's alone.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.INTAKE_OFFICE: _INTAKE | {A.REGISTER},
    Role.INTAKE_AKIM: _INTAKE,
    Role.INTAKE_STATE_CORPORATION: _INTAKE,
    Role.COMMISSION_SECRETARY: frozenset(
        {
            A.REGISTER,
            A.ROUTE,
            A.EXTEND,
            A.HEARING,
            A.VIEW_CASES,
            A.VIEW_IIN,
            A.BROADCAST,
            A.HOLIDAY_IMPORT,
            A.PRINT_QUEUE,
        }
    ),
    # Decides on the case file; the identity number is not needed for that, so it stays masked.
    Role.DECISION_MAKER: frozenset(
        {A.EXTEND, A.PRELIMINARY_REFUSAL, A.DECIDE, A.TERMINATE, A.VIEW_CASES, A.HOLIDAY_GRANT}
    ),
    Role.ADMINISTRATOR: frozenset({A.CALENDAR, A.MANAGE_STAFF, A.VIEW_CASES}),
}

# The intake channel a paper application is recorded with (SR §2), by who took it in.
INTAKE_CHANNEL: dict[Role, Channel] = {
    Role.INTAKE_OFFICE: Channel.PROVIDER_OFFICE,
    Role.INTAKE_AKIM: Channel.RURAL_AKIM,
    Role.INTAKE_STATE_CORPORATION: Channel.STATE_CORPORATION,
}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS.get(role, frozenset())


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name goes into the audit trail and onto receipts, so it must tell people apart.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def may(self, action: Action) -> bool:
        return self.active and may(self.role, action)


class StaffExists(DomainError):
    code = "staff_exists"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_staff(
    session: AsyncSession, *, name: str, role: Role, now: datetime
) -> tuple[Staff, str]:
    """A new staff member and the bearer token to give them (shown once, never stored)."""
    name = " ".join(name.split())
    if not name:
        raise DomainError("a staff member needs a name")
    if await session.scalar(select(Staff.id).where(Staff.name == name)) is not None:
        raise StaffExists(f"a staff member named {name!r} already exists", name=name)
    token = secrets.token_urlsafe(32)
    staff = Staff(name=name, role=role, token_hash=hash_token(token), active=True, created_at=now)
    session.add(staff)
    await session.flush()
    return staff, token


async def staff_by_token(session: AsyncSession, token: str) -> Staff | None:
    """The active staff member holding this token, or None."""
    staff = await session.scalar(select(Staff).where(Staff.token_hash == hash_token(token)))
    return staff if staff is not None and staff.active else None
