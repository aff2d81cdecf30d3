"""Hearing-invitation broadcasts: pick hearings (one date, or a list of cases), send in one action.

Each recipient gets an ordinary outbox notice (casework.broadcasts), so the channel rules, the
applicant's language, the providers' pacing and the print fallback are those of every notice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, status
from sqlalchemy import select

from casework.broadcasts import broadcast_counts, create_broadcast, resend_failed
from casework.lifecycle import Status
from casework.models import Application, Hearing
from casework.notices import NoticeKind
from casework.outbox import Broadcast
from casework.staff import Action, Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.errors import NotFound, found
from gateway.staff.schemas import BroadcastIn, BroadcastOut, ResendOut

router = APIRouter(prefix="/broadcasts", tags=["broadcasts"])

# A hearing still to be held: announced, possibly objected to.
_AWAITING_HEARING = (Status.PRELIMINARY_REFUSAL, Status.OBJECTION_RECEIVED)


async def _out(session: SessionDep, broadcast: Broadcast) -> BroadcastOut:
    return BroadcastOut(
        id=broadcast.id,
        kind=broadcast.kind,
        created_by=broadcast.created_by,
        created_at=broadcast.created_at,
        total=broadcast.total,
        counts=await broadcast_counts(session, broadcast.id),
    )


async def _broadcast(session: SessionDep, broadcast_id: int) -> Broadcast:
    broadcast = await session.get(Broadcast, broadcast_id)
    return found(broadcast, f"broadcast {broadcast_id}", broadcast_id=broadcast_id)


async def _hearings_on(session: SessionDep, env: EnvDep, day: date) -> list[int]:
    start = datetime.combine(day, time(0), tzinfo=env.calendar.tz)
    stmt = (
        select(Application.id)
        .join(Hearing, Hearing.application_id == Application.id)
        .where(
            Application.status.in_(_AWAITING_HEARING),
            Hearing.held_at.is_(None),
            Hearing.scheduled_at >= start,
            Hearing.scheduled_at < start + timedelta(days=1),
        )
        .order_by(Hearing.scheduled_at, Application.id)
    )
    return list(dict.fromkeys(await session.scalars(stmt)))


@router.post("", status_code=status.HTTP_201_CREATED)
async def broadcast_invitations(
    staff: Annotated[Staff, permit(Action.BROADCAST)],
    body: BroadcastIn,
    session: SessionDep,
    env: EnvDep,
) -> BroadcastOut:
    """Invite every applicant whose hearing is on `hearing_date`, or those of `application_ids`."""
    ids = list(body.application_ids or [])
    if body.hearing_date is not None:
        ids += await _hearings_on(session, env, body.hearing_date)
    if not ids:
        raise NotFound("no scheduled hearings match", hearing_date=body.hearing_date)
    broadcast = await create_broadcast(
        session,
        env,
        kind=NoticeKind.HEARING_INVITATION,
        application_ids=ids,
        created_by=staff.name,
    )
    return await _out(session, broadcast)


@router.get("")
async def list_broadcasts(
    staff: Annotated[Staff, permit(Action.BROADCAST)], session: SessionDep
) -> list[BroadcastOut]:
    rows = await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(100))
    return [await _out(session, b) for b in rows.all()]


@router.get("/{broadcast_id}")
async def get_broadcast(
    staff: Annotated[Staff, permit(Action.BROADCAST)], broadcast_id: int, session: SessionDep
) -> BroadcastOut:
    """Live counts: queued, sent, delivered, failed, printed."""
    return await _out(session, await _broadcast(session, broadcast_id))


@router.post("/{broadcast_id}/resend")
async def resend(
    staff: Annotated[Staff, permit(Action.BROADCAST)],
    broadcast_id: int,
    session: SessionDep,
    env: EnvDep,
) -> ResendOut:
    """Send again to the failed recipients only; the delivered ones are not bothered twice."""
    broadcast = await _broadcast(session, broadcast_id)
    resent = await resend_failed(session, env, broadcast_id, actor=staff.name)
    return ResendOut(resent=resent, broadcast=await _out(session, broadcast))
