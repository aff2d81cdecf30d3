"""Hearing-invitation broadcasts: pick hearings (one date, or a list of cases), send in one action.

Each recipient gets an ordinary outbox notice (casework.steps.broadcasts), so the channel rules,
the applicant's language, the providers' pacing and the print fallback are those of every notice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from casework.law.roles import Action
from casework.steps import broadcasts
from casework.tables.notices import Broadcast
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.schemas import BroadcastIn, BroadcastOut, ResendOut

router = APIRouter(prefix="/broadcasts", tags=["broadcasts"])


async def _out(session: SessionDep, broadcast: Broadcast) -> BroadcastOut:
    return BroadcastOut(
        id=broadcast.id,
        kind=broadcast.kind,
        created_by=broadcast.created_by,
        created_at=broadcast.created_at,
        total=broadcast.total,
        counts=await broadcasts.broadcast_counts(session, broadcast.id),
        targets=broadcast.targets,
        filled=broadcast.filled,
        filling=broadcast.filled_at is None,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def broadcast_invitations(
    staff: Annotated[Staff, permit(Action.BROADCAST)],
    body: BroadcastIn,
    session: SessionDep,
    env: EnvDep,
) -> BroadcastOut:
    """Invite every applicant whose hearing is on `hearing_date`, or those of `application_ids`."""
    broadcast = await broadcasts.invite_to_hearings(
        session,
        env,
        hearing_date=body.hearing_date,
        application_ids=body.application_ids or [],
        created_by=staff.name,
    )
    return await _out(session, broadcast)


@router.get("")
async def list_broadcasts(
    staff: Annotated[Staff, permit(Action.BROADCAST)], session: SessionDep
) -> list[BroadcastOut]:
    return [await _out(session, b) for b in await broadcasts.recent_broadcasts(session)]


@router.get("/{broadcast_id}")
async def get_broadcast(
    staff: Annotated[Staff, permit(Action.BROADCAST)], broadcast_id: int, session: SessionDep
) -> BroadcastOut:
    """Live counts: queued, sent, delivered, failed, printed."""
    return await _out(session, await broadcasts.get_broadcast(session, broadcast_id))


@router.post("/{broadcast_id}/resend")
async def resend(
    staff: Annotated[Staff, permit(Action.BROADCAST)],
    broadcast_id: int,
    session: SessionDep,
    env: EnvDep,
) -> ResendOut:
    """Send again to the failed recipients only; the delivered ones are not bothered twice."""
    resent = await broadcasts.resend_failed(session, env, broadcast_id, actor=staff.name)
    broadcast = await broadcasts.get_broadcast(session, broadcast_id)
    return ResendOut(resent=resent, broadcast=await _out(session, broadcast))
