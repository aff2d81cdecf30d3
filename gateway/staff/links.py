"""Telegram accounts linked to applicants: staff see them, confirm one in person after seeing
the identity card, and revoke one; every change is kept (casework.steps.accounts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from casework.law.roles import Action
from casework.steps import accounts, rows
from casework.tables.applicants import Applicant
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.schemas import ConfirmLinkIn, LinkEventOut, LinkOut
from gateway.staff.views import shown_iin

router = APIRouter(prefix="/telegram-links", tags=["identity"])


def _out(staff: Staff, a: Applicant) -> LinkOut:
    return LinkOut(
        applicant_id=a.id,
        iin=shown_iin(staff, a.iin),
        name=a.full_name,
        telegram_id=a.telegram_id,
        verified_at=a.telegram_verified_at,
        how=a.telegram_verified_how,
    )


async def _applicant(session: SessionDep, applicant_id: int) -> Applicant:
    return await rows.get(
        session, Applicant, applicant_id, what="applicant", key="applicant_id", for_update=True
    )


@router.get("")
async def list_links(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], session: SessionDep
) -> list[LinkOut]:
    return [_out(staff, a) for a in await accounts.linked_accounts(session)]


@router.get("/{applicant_id}/history")
async def history(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], applicant_id: int, session: SessionDep
) -> list[LinkEventOut]:
    await _applicant(session, applicant_id)
    events = await accounts.link_history(session, applicant_id)
    return [LinkEventOut.model_validate(e, from_attributes=True) for e in events]


@router.put("/{applicant_id}")
async def confirm_in_person(
    staff: Annotated[Staff, permit(Action.LINK_ACCOUNTS)],
    applicant_id: int,
    body: ConfirmLinkIn,
    session: SessionDep,
    env: EnvDep,
) -> LinkOut:
    """The person showed their identity card and the number their bot shows: link it, proven."""
    applicant = await _applicant(session, applicant_id)
    await accounts.link(
        session, env, applicant, body.telegram_id, accounts.Proof.IN_PERSON, staff.name
    )
    return _out(staff, applicant)


@router.delete("/{applicant_id}")
async def revoke(
    staff: Annotated[Staff, permit(Action.LINK_ACCOUNTS)],
    applicant_id: int,
    session: SessionDep,
    env: EnvDep,
) -> LinkOut:
    applicant = await _applicant(session, applicant_id)
    await accounts.revoke(session, env, applicant, actor=staff.name)
    return _out(staff, applicant)
