"""Signing a bot filing (SR §6, DR §13): a one-time code by SMS to the phone the mobile citizens
database registers to the applicant, typed back in the bot; or, for someone without such a phone,
staff who see the identity card take the same draft in at the desk. Either way one `Signature`
row keeps the digest of what was signed; `is_intact` tells whether the filing still matches it.

One interface for every method: a real EDS (NCALayer CMS) would add a method and its check, and
write the same row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.identity import mask_phone
from casework.law.notices import NoticeKind
from casework.law.signing import (
    CODE_DIGITS,
    CODE_RESEND_AFTER,
    CODE_TRIES,
    CODE_VALID_FOR,
    SignMethod,
    content_digest,
)
from casework.law.status import Status
from casework.steps import notices
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.signatures import OneTimeCode, Signature


class SigningError(RuleError):
    """A code that cannot sign: `params["reason"]` is one of REASONS, for the bot's message."""

    code = "signing_refused"


# too_soon: a new code within a minute of the last; no_phone: no MCDB-registered phone;
# none: no code was sent; wrong / expired / too_many: the code typed does not sign.
REASONS = ("too_soon", "no_phone", "none", "wrong", "expired", "too_many")


def signed_content(app: Application, iin: str) -> dict[str, Any]:
    """What the applicant certifies: the answers, the family and the documents' digests."""
    return {
        "application": app.id,
        "applicant_iin": iin,
        "filer": app.filer,
        "representative": app.representative_name,
        "ground": app.ground,
        "settlement": app.settlement,
        "address": app.address,
        "phone": app.phone,
        "family": sorted(
            [m.full_name, m.iin, m.relation, str(m.monthly_income)] for m in app.family
        ),
        "documents": sorted(
            [d.kind.value, d.sha256, d.valid_until.isoformat() if d.valid_until else None]
            for d in app.documents
        ),
    }


async def _applicant(session: AsyncSession, app: Application) -> Applicant:
    applicant = await session.get(Applicant, app.applicant_id)
    assert applicant is not None
    return applicant


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


async def _latest_code(session: AsyncSession, app: Application) -> OneTimeCode | None:
    stmt = (
        select(OneTimeCode)
        .where(OneTimeCode.application_id == app.id)
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    return await session.scalar(stmt)


async def send_code(session: AsyncSession, env: CaseEnv, app: Application) -> str:
    """Send a new code to the MCDB-registered phone; the phone, masked, for the screen."""
    if app.status is not Status.DRAFT:
        raise SigningError("only a draft is signed", reason="none")
    phone = await notices.registered_phone(session, (await _applicant(session, app)).iin)
    if phone is None:
        raise SigningError("no phone is registered to this IIN in the MCDB", reason="no_phone")
    last = await _latest_code(session, app)
    now = env.now()
    if last is not None and now < last.created_at + CODE_RESEND_AFTER:
        wait = int((last.created_at + CODE_RESEND_AFTER - now).total_seconds()) + 1
        raise SigningError("a new code can be sent in a minute", reason="too_soon", wait=wait)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    session.add(
        OneTimeCode(
            application_id=app.id,
            phone=phone,
            salt=salt,
            code_hash=_hash(salt, code),
            created_at=now,
            expires_at=now + CODE_VALID_FOR,
            tries=0,
        )
    )
    payload = {"code": code, "phone": phone}
    await notices.enqueue(session, env, app, NoticeKind.SIGNING_CODE, payload)
    return mask_phone(phone)


async def sign_with_code(
    session: AsyncSession, env: CaseEnv, app: Application, typed: str
) -> Signature:
    """The code typed back signs the draft as it is now; a wrong one uses up a try."""
    code = await _latest_code(session, app)
    now = env.now()
    if code is None or code.used_at is not None:
        raise SigningError("no code was sent", reason="none")
    if code.tries >= CODE_TRIES:
        raise SigningError("too many wrong codes", reason="too_many")
    if now >= code.expires_at:
        raise SigningError("the code has expired", reason="expired")
    if not hmac.compare_digest(code.code_hash, _hash(code.salt, typed.strip())):
        code.tries += 1
        left = CODE_TRIES - code.tries
        raise SigningError("wrong code", reason="too_many" if left == 0 else "wrong", left=left)
    code.used_at = now
    return await _record(
        session, app, SignMethod.SMS_CODE, now, phone=mask_phone(code.phone), code_id=code.id
    )


async def sign_in_person(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> Signature:
    """Staff saw the identity card and the applicant signed the printed draft at the desk."""
    return await _record(session, app, SignMethod.IN_PERSON, env.now(), witnessed_by=actor)


async def _record(
    session: AsyncSession,
    app: Application,
    method: SignMethod,
    at: datetime,
    *,
    phone: str | None = None,
    code_id: int | None = None,
    witnessed_by: str | None = None,
) -> Signature:
    iin = (await _applicant(session, app)).iin
    signature = Signature(
        application_id=app.id,
        method=method,
        content_sha256=content_digest(signed_content(app, iin)),
        signer_iin=iin,
        phone_masked=phone,
        code_id=code_id,
        witnessed_by=witnessed_by,
        signed_at=at,
    )
    session.add(signature)
    await session.flush()
    return signature


async def latest_signature(session: AsyncSession, app: Application) -> Signature | None:
    stmt = (
        select(Signature)
        .where(Signature.application_id == app.id)
        .order_by(Signature.id.desc())
        .limit(1)
    )
    return await session.scalar(stmt)


def is_intact(app: Application, signature: Signature) -> bool:
    """Does the filing still say what was signed (by the same person)?"""
    digest = content_digest(signed_content(app, signature.signer_iin))
    return hmac.compare_digest(signature.content_sha256, digest)


async def require_signature(session: AsyncSession, app: Application) -> None:
    """A bot filing is submitted only signed, and only as it was signed (SR §6)."""
    signature = await latest_signature(session, app)
    if signature is None:
        raise SigningError("a bot filing is submitted signed (SR §6)", reason="none")
    if not is_intact(app, signature):
        raise SigningError("the filing changed after it was signed", reason="none")
