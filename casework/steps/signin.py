"""Signing in to the staff console: passwords (Argon2), the lockout after repeated wrong ones, and
sessions that end on sign-out, after idle time, or when the password is reset.

Only hashes are kept: a session key is random and stored as its SHA-256, like the API's tokens.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.steps import rows
from casework.steps.staff import hash_token
from casework.tables.staff import Staff, StaffSession

# Argon2id with the library's defaults (RFC 9106's second recommended option).
_hasher = PasswordHasher()

MIN_PASSWORD = 10
# Wrong passwords: from the third on, each answer waits a little longer; the fifth locks the
# account for a quarter of an hour (a clerk calls the administrator, a script gives up).
SLOW_AFTER = 2
SLOW_STEP = timedelta(seconds=1)
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)


class WeakPassword(RuleError):
    code = "weak_password"


@dataclass(frozen=True)
class SignIn:
    """What one attempt came to: the staff member and a session key, or why not and the wait."""

    staff: Staff | None = None
    key: str | None = None
    locked_until: datetime | None = None
    delay: timedelta = timedelta(0)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(
            f"a password needs at least {MIN_PASSWORD} characters", minimum=MIN_PASSWORD
        )
    return _hasher.hash(password)


def _matches(stored: str | None, password: str) -> bool:
    if stored is None:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def set_password(session: AsyncSession, staff: Staff, password: str) -> None:
    """A new password ends every session the member had and lifts a lockout."""
    staff.password_hash = hash_password(password)
    staff.failed_logins = 0
    staff.locked_until = None
    await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    await session.flush()


async def change_own_password(
    session: AsyncSession, staff: Staff, current: str, new: str, *, keep_key: str
) -> bool:
    """The member's own change needs the current password; the session in use stays open."""
    if not _matches(staff.password_hash, current):
        return False
    staff.password_hash = hash_password(new)
    await session.execute(
        delete(StaffSession).where(
            StaffSession.staff_id == staff.id, StaffSession.key_hash != hash_token(keep_key)
        )
    )
    await session.flush()
    return True


async def sign_in(session: AsyncSession, name: str, password: str, *, now: datetime) -> SignIn:
    staff = await session.scalar(
        select(Staff).where(Staff.name == " ".join(name.split())).with_for_update()
    )
    if staff is None or not staff.active:
        _matches(_dummy(), password)  # the same work for a name that does not exist
        return SignIn()
    if staff.locked_until is not None and staff.locked_until > now:
        return SignIn(locked_until=staff.locked_until)
    if not _matches(staff.password_hash, password):
        staff.failed_logins += 1
        if staff.failed_logins >= LOCK_AFTER:
            staff.locked_until = now + LOCK_FOR
            staff.failed_logins = 0
            return SignIn(locked_until=staff.locked_until)
        return SignIn(delay=SLOW_STEP * max(0, staff.failed_logins - SLOW_AFTER))
    staff.failed_logins = 0
    staff.locked_until = None
    assert staff.password_hash is not None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    key = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            key_hash=hash_token(key),
            staff_id=staff.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
        )
    )
    await session.flush()
    return SignIn(staff=staff, key=key)


async def open_session(
    session: AsyncSession, key: str, *, now: datetime
) -> tuple[Staff, StaffSession] | None:
    """The signed-in member behind a session key, if the session is still alive (it is kept
    alive by use)."""
    found = await session.scalar(
        select(StaffSession).where(StaffSession.key_hash == hash_token(key))
    )
    if found is None:
        return None
    if now - found.last_seen_at > IDLE_TIMEOUT:
        await session.delete(found)
        return None
    staff = await rows.get(session, Staff, found.staff_id, what="staff member", key="staff_id")
    if not staff.active:
        return None
    found.last_seen_at = now
    return staff, found


async def sign_out(session: AsyncSession, key: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.key_hash == hash_token(key)))


@functools.cache
def _dummy() -> str:
    """A hash to check a password against when the name does not exist (made on first use:
    hashing costs a tenth of a second, not to be paid at every start)."""
    return _hasher.hash(secrets.token_urlsafe(16))
