"""Linking a Telegram account to an applicant: who may act on whose case through the bot.

Typing an IIN proves nothing. A new IIN is linked to the account that typed it, unproven: it may
prepare a draft, and sees no case it did not file itself. The link is proven by the phone the
mobile citizens database registers to that IIN (shared through Telegram), or by staff who saw
the person's identity card (SR §6, DR §13). A proven link cannot be taken by another account;
an unproven one gives way to the person who proves it. Every link, proof and revoke is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.notices import NoticeKind
from casework.steps import codes
from casework.steps.case_file import load_application
from casework.steps.codes import CodeError
from casework.steps.intake import applicant_by_iin, get_or_create_applicant
from casework.steps.notices import phone_registered, registered_phone
from casework.system.env import CaseEnv
from casework.tables.applicants import AccountLinkEvent, Applicant
from casework.tables.applications import Application


class Claim(StrEnum):
    LINKED = "linked"  # linked to this account (a new IIN: still to be proven)
    NEEDS_PROOF = "needs_proof"  # known to the department: only a proof links it
    TAKEN = "taken"  # proven by another Telegram account


class Proof(StrEnum):
    MCDB_PHONE = "mcdb_phone"  # the shared phone is the one the MCDB registers to the IIN
    SMS_CODE = "sms_code"  # a code sent to that phone was typed back (to link, or to sign)
    IN_PERSON = "in_person"  # staff saw the identity card


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    applicant: Applicant | None = None


async def claim_iin(
    session: AsyncSession, env: CaseEnv, *, telegram_id: int, iin: str, locale: str
) -> ClaimResult:
    """The first step of identity in the bot: the user types their IIN."""
    existing = await applicant_by_iin(session, iin)
    if existing is not None and _proven_elsewhere(existing, telegram_id):
        return ClaimResult(Claim.TAKEN)
    if existing is not None:
        if existing.telegram_id == telegram_id:
            return ClaimResult(Claim.LINKED, existing)
        return ClaimResult(Claim.NEEDS_PROOF)  # the account's own link stays until a proof
    # A corrected IIN replaces the one this account gave before.
    previous = await account_holder(session, telegram_id)
    if previous is not None:
        await _unlink(session, env, previous, actor="applicant", how="another IIN typed")
    applicant = await get_or_create_applicant(
        session, env, iin, telegram_id=telegram_id, locale=locale
    )
    _event(session, env, applicant, telegram_id, "linked", how="IIN typed", actor="applicant")
    return ClaimResult(Claim.LINKED, applicant)


async def prove_by_phone(
    session: AsyncSession, env: CaseEnv, *, telegram_id: int, iin: str, phone: str, locale: str
) -> Applicant | None:
    """Link a known applicant to this account when the MCDB registers the shared phone to them;
    None if it does not (or another account has proven the link)."""
    applicant = await applicant_by_iin(session, iin)
    if applicant is None or phone != await registered_phone(session, iin):
        return None
    if _proven_elsewhere(applicant, telegram_id):
        return None
    await link(session, env, applicant, telegram_id, Proof.MCDB_PHONE, actor="applicant")
    applicant.locale = locale
    return applicant


async def _case_for_code(session: AsyncSession, iin: str) -> tuple[Applicant, Application]:
    """A code is kept with a case: the applicant's newest one (a known IIN has one)."""
    applicant = await applicant_by_iin(session, iin)
    app = None
    if applicant is not None:
        stmt = (
            select(Application.id)
            .where(Application.applicant_id == applicant.id)
            .order_by(Application.id.desc())
            .limit(1)
        )
        app_id = await session.scalar(stmt)
        app = None if app_id is None else await load_application(session, app_id)
    if applicant is None or app is None:  # nothing known to prove: as with no phone
        raise CodeError("no case to keep a code with", reason="no_phone")
    return applicant, app


async def send_link_code(session: AsyncSession, env: CaseEnv, *, iin: str) -> str:
    """A code by SMS to the phone the MCDB registers to this known IIN; the phone, masked."""
    _, app = await _case_for_code(session, iin)
    return await codes.send(session, env, app, NoticeKind.LINK_CODE)


async def prove_by_code(
    session: AsyncSession, env: CaseEnv, *, telegram_id: int, iin: str, typed: str, locale: str
) -> Applicant | None:
    """Link the known applicant to this account with the code sent to their MCDB phone; None if
    another account has proven the link meanwhile. A code that does not confirm raises."""
    applicant, app = await _case_for_code(session, iin)
    await codes.confirm(session, env, app, NoticeKind.LINK_CODE, typed)
    if _proven_elsewhere(applicant, telegram_id):
        return None
    await link(session, env, applicant, telegram_id, Proof.SMS_CODE, actor="applicant")
    applicant.locale = locale
    return applicant


async def record_phone(
    session: AsyncSession,
    env: CaseEnv,
    applicant: Applicant,
    *,
    phone: str,
) -> bool:
    """The applicant's own phone, shared through Telegram (not the contact card's name: the bot
    asks for the name); True when the MCDB registers it to them: notices may go by SMS, and the
    link is proven."""
    applicant.phone = phone
    # Proof is the phone registered now: an old number someone else may hold proves nothing.
    current = phone == await registered_phone(session, applicant.iin)
    registered = current or await phone_registered(session, applicant.iin, phone)
    if current and applicant.telegram_id is not None and not applicant.telegram_verified:
        await link(session, env, applicant, applicant.telegram_id, Proof.MCDB_PHONE, "applicant")
    await session.flush()
    return registered


async def link(
    session: AsyncSession,
    env: CaseEnv,
    applicant: Applicant,
    telegram_id: int,
    proof: Proof,
    actor: str,
) -> Applicant:
    """Link this account to the applicant, proven: whoever held either side before lets go."""
    holder = await account_holder(session, telegram_id)
    if holder is not None and holder.id != applicant.id:
        await _unlink(session, env, holder, actor=actor, how="the account proved another IIN")
    if applicant.telegram_id not in (None, telegram_id):
        await _unlink(session, env, applicant, actor=actor, how="proven by another account")
    applicant.telegram_id = telegram_id
    applicant.telegram_verified_at = env.now()
    applicant.telegram_verified_how = proof.value if actor == "applicant" else f"{proof}: {actor}"
    _event(session, env, applicant, telegram_id, "verified", how=proof.value, actor=actor)
    await session.flush()
    return applicant


async def revoke(session: AsyncSession, env: CaseEnv, applicant: Applicant, *, actor: str) -> None:
    """Staff end a link (a lost phone, a link made by someone else)."""
    if applicant.telegram_id is not None:
        await _unlink(session, env, applicant, actor=actor, how="revoked by staff")


async def _unlink(
    session: AsyncSession, env: CaseEnv, applicant: Applicant, *, actor: str, how: str
) -> None:
    assert applicant.telegram_id is not None
    _event(session, env, applicant, applicant.telegram_id, "revoked", how=how, actor=actor)
    applicant.telegram_id = None
    applicant.telegram_verified_at = None
    applicant.telegram_verified_how = None
    await session.flush()  # the unique telegram_id is free before anyone takes it


def _event(
    session: AsyncSession,
    env: CaseEnv,
    applicant: Applicant,
    telegram_id: int,
    event: str,
    *,
    how: str,
    actor: str,
) -> None:
    session.add(
        AccountLinkEvent(
            applicant_id=applicant.id,
            telegram_id=telegram_id,
            event=event,
            how=how,
            actor=actor,
            at=env.now(),
        )
    )


def _proven_elsewhere(applicant: Applicant, telegram_id: int) -> bool:
    """Another account's proven link stands; an unproven one gives way to whoever proves it."""
    return (
        applicant.telegram_id not in (None, telegram_id)
        and applicant.telegram_verified_at is not None
    )


# Built once: every bot update asks it (see casework/steps/case_file.py).
_HOLDER = select(Applicant).where(Applicant.telegram_id == bindparam("telegram_id"))


async def account_holder(session: AsyncSession, telegram_id: int) -> Applicant | None:
    """The applicant this Telegram account is linked to, if any."""
    return await session.scalar(_HOLDER, {"telegram_id": telegram_id})


async def linked_accounts(session: AsyncSession, *, limit: int = 200) -> list[Applicant]:
    """Applicants with a Telegram account, most recently proven first."""
    stmt = (
        select(Applicant)
        .where(Applicant.telegram_id.is_not(None))
        .order_by(Applicant.telegram_verified_at.desc().nulls_last(), Applicant.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def link_history(session: AsyncSession, applicant_id: int) -> list[AccountLinkEvent]:
    stmt = (
        select(AccountLinkEvent)
        .where(AccountLinkEvent.applicant_id == applicant_id)
        .order_by(AccountLinkEvent.id)
    )
    return list(await session.scalars(stmt))
