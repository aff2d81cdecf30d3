"""Signing a bot filing (SR §6, DR §13): a one-time code by SMS to the phone the mobile citizens
database registers to the applicant, typed back in the bot; or, for someone without such a phone,
staff who see the identity card take the same draft in at the desk. Either way one `Signature`
row keeps the digest of what was signed; `is_intact` tells whether the filing still matches it.

One interface for every method: a real EDS (NCALayer CMS) would add a method and its check, and
write the same row.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.identity import mask_phone
from casework.law.notices import NoticeKind
from casework.law.signing import SignMethod, content_digest
from casework.law.status import Status
from casework.steps import codes
from casework.steps.codes import CodeError
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.signatures import Signature


def signed_content(app: Application, iin: str) -> dict[str, Any]:
    """What the applicant certifies: the answers, the family and the documents' digests."""
    return {
        "application": app.id,
        "applicant_iin": iin,
        "filer": app.filer,
        "representative": app.representative_name,
        "represented_iin": app.represented_iin,
        "ground": app.ground,
        "settlement": app.settlement,
        "address": app.address,
        "phone": app.phone,
        "iban": app.iban,  # where the money goes is part of what is certified
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


async def send_code(session: AsyncSession, env: CaseEnv, app: Application) -> str:
    """Send a signing code to the MCDB-registered phone; the phone, masked, for the screen."""
    if app.status is not Status.DRAFT:
        raise CodeError("only a draft is signed", reason="none")
    return await codes.send(session, env, app, NoticeKind.SIGNING_CODE)


async def sign_with_code(
    session: AsyncSession, env: CaseEnv, app: Application, typed: str
) -> Signature:
    """The code typed back signs the draft as it is now."""
    code = await codes.confirm(session, env, app, NoticeKind.SIGNING_CODE, typed)
    return await _record(
        session, app, SignMethod.SMS_CODE, env.now(), phone=mask_phone(code.phone), code_id=code.id
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
        raise CodeError("a bot filing is submitted signed (SR §6)", reason="none")
    if not is_intact(app, signature):
        raise CodeError("the filing changed after it was signed", reason="none")
