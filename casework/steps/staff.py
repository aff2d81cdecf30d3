"""Staff accounts: adding one, reissuing its token, finding who holds a token, changing a role,
deactivating and reactivating."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import DomainError, NotFound, RuleError
from casework.law.roles import Role
from casework.steps import rows
from casework.tables.staff import Staff, StaffSession


class StaffExists(DomainError):
    code = "staff_exists"


def _clean(name: str) -> str:
    # The name goes into the audit trail and onto receipts: one spelling of the spaces.
    name = " ".join(name.split())
    if not name:
        raise RuleError("a staff member needs a name")
    return name


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_staff(
    session: AsyncSession, *, name: str, role: Role, now: datetime
) -> tuple[Staff, str]:
    """A new staff member and the bearer token to give them (shown once, never stored)."""
    name = _clean(name)
    if await session.scalar(select(Staff.id).where(Staff.name == name)) is not None:
        raise StaffExists(f"a staff member named {name!r} already exists", name=name)
    token = _new_token()
    staff = Staff(name=name, role=role, token_hash=hash_token(token), active=True, created_at=now)
    session.add(staff)
    await session.flush()
    return staff, token


async def rotate_token(session: AsyncSession, *, name: str) -> tuple[Staff, str]:
    """A new bearer token for an existing staff member (lost, or leaked): the old one stops
    working at once. Shown once, never stored."""
    staff = await staff_by_name(session, name)
    if not staff.active:
        # A token for a deactivated account would never work: deactivation is deliberate.
        raise DomainError(f"staff member {name!r} is deactivated", name=name)
    token = _new_token()
    staff.token_hash = hash_token(token)
    await session.flush()
    return staff, token


async def staff_by_name(session: AsyncSession, name: str) -> Staff:
    staff = await session.scalar(select(Staff).where(Staff.name == _clean(name)).with_for_update())
    if staff is None:
        raise NotFound(f"no staff member named {name!r}", name=name)
    return staff


# Built once: every staff request asks it.
_BY_TOKEN = select(Staff).where(Staff.token_hash == bindparam("token_hash"))


async def staff_by_token(session: AsyncSession, token: str) -> Staff | None:
    """The active staff member holding this token, or None."""
    staff = await session.scalar(_BY_TOKEN, {"token_hash": hash_token(token)})
    return staff if staff is not None and staff.active else None


async def all_staff(session: AsyncSession) -> list[Staff]:
    return list(await session.scalars(select(Staff).order_by(Staff.name)))


async def deactivate(session: AsyncSession, staff_id: int) -> Staff:
    """The token stops working at once; the name stays in the audit trail."""
    member = await rows.get(session, Staff, staff_id, what="staff member", key="staff_id")
    member.active = False
    await session.flush()
    return member


async def get_staff(session: AsyncSession, staff_id: int) -> Staff:
    return await rows.get(
        session, Staff, staff_id, what="staff member", key="staff_id", for_update=True
    )


async def change_role(session: AsyncSession, staff_id: int, role: Role) -> Staff:
    """What the member may do changes at their next request (each request reads the role)."""
    member = await get_staff(session, staff_id)
    member.role = role
    await session.flush()
    return member


async def reactivate(session: AsyncSession, staff_id: int) -> Staff:
    """The account works again with its password; sessions and the bearer token from before the
    deactivation stay dead (`komek staff token` issues a new token)."""
    member = await get_staff(session, staff_id)
    if not member.active:
        member.active = True
        member.token_hash = hash_token(_new_token())  # a token nobody holds
        await session.execute(delete(StaffSession).where(StaffSession.staff_id == member.id))
        await session.flush()
    return member
