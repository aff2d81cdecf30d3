"""The district's staff accounts (tokens are issued by `komek staff add`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from casework.law.roles import Action
from casework.steps import staff as accounts
from casework.tables.staff import Staff
from gateway.staff.deps import SessionDep, StaffDep, permit
from gateway.staff.schemas import StaffOut

router = APIRouter(prefix="/members", tags=["staff"])


def _out(s: Staff) -> StaffOut:
    return StaffOut(id=s.id, name=s.name, role=s.role, active=s.active, created_at=s.created_at)


@router.get("/me")
async def whoami(staff: StaffDep) -> StaffOut:
    return _out(staff)


@router.get("")
async def list_staff(
    staff: Annotated[Staff, permit(Action.MANAGE_STAFF)], session: SessionDep
) -> list[StaffOut]:
    return [_out(s) for s in await accounts.all_staff(session)]


@router.post("/{staff_id}/deactivation")
async def deactivate(
    staff: Annotated[Staff, permit(Action.MANAGE_STAFF)], staff_id: int, session: SessionDep
) -> StaffOut:
    """The token stops working at once; the name stays in the audit trail."""
    return _out(await accounts.deactivate(session, staff_id))
