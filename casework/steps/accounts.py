"""Linking a Telegram account to an applicant: who may act on whose case through the bot.

Typing an IIN proves nothing. A new IIN is linked to the account that typed it; an IIN the
department already knows (a paper filing, a holiday list) is linked only when the phone the user
shares through Telegram is theirs: the phone on file, or the one the mobile citizens database
registers to that IIN (SR §15).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.steps.intake import applicant_by_iin, get_or_create_applicant
from casework.steps.notices import phone_registered
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant


class Claim(StrEnum):
    LINKED = "linked"  # a new applicant, linked to this account
    NEEDS_PHONE = "needs_phone"  # known to the department: the shared phone must prove it
    TAKEN = "taken"  # linked to another Telegram account


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    applicant: Applicant | None = None


async def claim_iin(
    session: AsyncSession, env: CaseEnv, *, telegram_id: int, iin: str, locale: str
) -> ClaimResult:
    """The first step of identity in the bot: the user types their IIN."""
    existing = await applicant_by_iin(session, iin)
    if existing is not None and existing.telegram_id not in (None, telegram_id):
        return ClaimResult(Claim.TAKEN)
    # A corrected IIN replaces the one this account gave before.
    previous = await account_holder(session, telegram_id)
    if previous is not None and previous.iin != iin:
        previous.telegram_id = None
        await session.flush()
    if existing is not None and existing.telegram_id is None:
        return ClaimResult(Claim.NEEDS_PHONE)
    applicant = await get_or_create_applicant(
        session, env, iin, telegram_id=telegram_id, locale=locale
    )
    return ClaimResult(Claim.LINKED, applicant)


async def prove_by_phone(
    session: AsyncSession, *, telegram_id: int, iin: str, phone: str, locale: str
) -> Applicant | None:
    """Link a known applicant to this account when the shared phone is theirs; None if not."""
    applicant = await applicant_by_iin(session, iin)
    if applicant is None or applicant.telegram_id not in (None, telegram_id):
        return None
    if phone != applicant.phone and not await phone_registered(session, applicant.iin, phone):
        return None
    applicant.telegram_id = telegram_id
    applicant.locale = locale
    await session.flush()
    return applicant


async def record_phone(
    session: AsyncSession, applicant: Applicant, *, phone: str, first_name: str, last_name: str
) -> bool:
    """The applicant's own phone, shared through Telegram (names fill only what is empty);
    True when the mobile citizens database registers it to them, so notices may go by SMS."""
    applicant.phone = phone
    applicant.first_name = applicant.first_name or first_name
    applicant.last_name = applicant.last_name or last_name
    await session.flush()
    return await phone_registered(session, applicant.iin, phone)


async def account_holder(session: AsyncSession, telegram_id: int) -> Applicant | None:
    """The applicant this Telegram account is linked to, if any."""
    return await session.scalar(select(Applicant).where(Applicant.telegram_id == telegram_id))
