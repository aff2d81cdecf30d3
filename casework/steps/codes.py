"""One-time codes by SMS to the phone the mobile citizens database registers to an applicant's
IIN: the way the national portal confirms an action for someone without an EDS key. Used to sign
a bot filing and to link a Telegram account to a known IIN. The code table keeps a salted hash;
the SMS words stay on their outbox row, which no staff view shows (`delivery.get_notice`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.identity import mask_phone
from casework.law.notices import NoticeKind
from casework.law.signing import (
    CODE_DIGITS,
    CODE_RESEND_AFTER,
    CODE_TRIES,
    CODE_VALID_FOR,
    CODES_PER_DAY,
)
from casework.steps import notices
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.signatures import OneTimeCode


class CodeError(RuleError):
    """A code that cannot be sent or does not confirm: `params["reason"]` is one of REASONS."""

    code = "code_refused"


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


async def _latest(
    session: AsyncSession, app: Application, purpose: NoticeKind, *, for_update: bool = False
) -> OneTimeCode | None:
    stmt = (
        select(OneTimeCode)
        .where(OneTimeCode.application_id == app.id, OneTimeCode.purpose == purpose.value)
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    if for_update:  # two guesses at once must not both count as the first
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def send(session: AsyncSession, env: CaseEnv, app: Application, purpose: NoticeKind) -> str:
    """Send a new code (the notice `purpose` says what it is for) to the MCDB-registered phone
    of the case's applicant; the phone, masked, for the screen."""
    applicant = await session.get(Applicant, app.applicant_id)
    assert applicant is not None
    phone = await notices.registered_phone(session, applicant.iin)
    if phone is None:
        raise CodeError("no phone is registered to this IIN in the MCDB", reason="no_phone")
    last = await _latest(session, app, purpose)
    now = env.now()
    sent_today = await session.scalar(
        select(func.count(OneTimeCode.id)).where(
            OneTimeCode.application_id == app.id,
            OneTimeCode.purpose == purpose.value,
            OneTimeCode.created_at > now - timedelta(days=1),
        )
    )
    if (sent_today or 0) >= CODES_PER_DAY:
        raise CodeError("no more codes today", reason="locked")
    if last is not None and now < last.created_at + CODE_RESEND_AFTER:
        wait = int((last.created_at + CODE_RESEND_AFTER - now).total_seconds()) + 1
        raise CodeError("a new code can be sent in a minute", reason="too_soon", wait=wait)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    session.add(
        OneTimeCode(
            application_id=app.id,
            purpose=purpose.value,
            phone=phone,
            salt=salt,
            code_hash=_hash(salt, code),
            created_at=now,
            expires_at=now + CODE_VALID_FOR,
            tries=0,
        )
    )
    for row in await notices.enqueue(session, env, app, purpose, {"code": code, "phone": phone}):
        row.payload = {"phone": phone}  # the words carry the code to the phone; nothing else
    return mask_phone(phone)


async def confirm(
    session: AsyncSession, env: CaseEnv, app: Application, purpose: NoticeKind, typed: str
) -> OneTimeCode:
    """The code typed back, used up; a wrong one uses up a try."""
    code = await _latest(session, app, purpose, for_update=True)
    now = env.now()
    if code is None or code.used_at is not None:
        raise CodeError("no code was sent", reason="none")
    if code.tries >= CODE_TRIES:
        raise CodeError("too many wrong codes", reason="too_many")
    if now >= code.expires_at:
        raise CodeError("the code has expired", reason="expired")
    if not hmac.compare_digest(code.code_hash, _hash(code.salt, typed.strip())):
        code.tries += 1
        left = CODE_TRIES - code.tries
        raise CodeError("wrong code", reason="too_many" if left == 0 else "wrong", left=left)
    code.used_at = now
    return code
