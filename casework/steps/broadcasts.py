"""Broadcasts: one staff action sending the same kind of notice to many applicants.

Staff broadcast hearing invitations to every applicant whose hearing is scheduled (DOMAIN.md,
"Notices"), and holiday assistance notices to the recipients of a list. Each recipient gets an
ordinary outbox notice, so channel choice, retries and the print fallback are the same as for one.
A notice may go by SMS and by chat (two rows): counts and resends are about recipients (one
applicant is one recipient), never rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import NotFound
from casework.law.notices import (
    DECISION_KINDS,
    FINAL_STATUSES,
    HEARING_KINDS,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
)
from casework.steps import notices, rows
from casework.steps.audit import record
from casework.steps.broadcast_fill import SYNC_LIMIT, BroadcastError, fill_chunk
from casework.steps.case_file import load_application
from casework.steps.delivery import requeue
from casework.steps.hearings import hearings_on
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.decisions import Decision
from casework.tables.hearings import Hearing
from casework.tables.notices import Broadcast, BroadcastTarget, Notice

COUNT_KEYS = ("queued", "sent", "delivered", "failed", "printed")


async def _check(session: AsyncSession, kind: NoticeKind, ids: list[int]) -> int:
    """All or nothing, in a few set-based queries: every case exists and has what the notice
    must say (a hearing for an invitation, a decision for a decision notice). Returns how many
    applicants they are (one applicant is one recipient)."""
    if kind is NoticeKind.TERMINATION:
        raise BroadcastError("termination notices are sent by the termination itself")
    for app_id in ids:  # a number no row can have must not reach the driver
        rows.check_id(app_id, what="application", key="application_id")
    applicants: dict[int, int] = {}
    with_hearing: set[int] = set()
    with_decision: set[int] = set()
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        applicants.update(
            (
                await session.execute(
                    select(Application.id, Application.applicant_id).where(
                        Application.id.in_(chunk)
                    )
                )
            ).all()
        )
        if kind in HEARING_KINDS:
            with_hearing.update(
                await session.scalars(
                    select(Hearing.application_id).where(Hearing.application_id.in_(chunk))
                )
            )
        if kind in DECISION_KINDS:
            with_decision.update(
                await session.scalars(
                    select(Decision.application_id).where(Decision.application_id.in_(chunk))
                )
            )
    for app_id in ids:  # an unknown case first: it is not there at all
        if app_id not in applicants:
            raise rows.not_found(app_id, what="application", key="application_id")
    for app_id in ids:
        if kind in HEARING_KINDS and app_id not in with_hearing:
            raise BroadcastError(
                f"application {app_id} has no scheduled hearing", application_id=app_id
            )
        if kind in DECISION_KINDS and app_id not in with_decision:
            raise BroadcastError(f"application {app_id} has no decision", application_id=app_id)
    return len(set(applicants.values()))


async def create_broadcast(
    session: AsyncSession,
    env: CaseEnv,
    *,
    kind: NoticeKind,
    application_ids: Sequence[int],
    created_by: str,
    payload: dict[str, Any] | None = None,
) -> Broadcast:
    """A broadcast of one notice of `kind` per application, in the caller's transaction.

    All or nothing: an unknown application or one that lacks what the notice must say (a hearing
    for an invitation) raises before anything is written. Up to `SYNC_LIMIT` cases the notices
    are written here; a larger broadcast is written in the background (`broadcast_fill`) and
    shows how far it got.
    """
    ids = list(dict.fromkeys(application_ids))  # the same applicant is notified once
    if not ids:
        raise BroadcastError("a broadcast needs at least one application")
    recipients = await _check(session, kind, ids)
    now = env.now()
    broadcast = Broadcast(
        kind=kind,
        created_by=created_by,
        created_at=now,
        total=recipients,
        payload=dict(payload or {}),
        targets=len(ids),
        filled=0,
    )
    session.add(broadcast)
    await session.flush()
    await session.execute(
        insert(BroadcastTarget),
        [{"broadcast_id": broadcast.id, "application_id": i, "filled": False} for i in ids],
    )
    if len(ids) <= SYNC_LIMIT:
        broadcast.fill_beat_at = now
        await fill_chunk(session, env, broadcast, ids)
    return broadcast


async def invite_to_hearings(
    session: AsyncSession,
    env: CaseEnv,
    *,
    hearing_date: date | None,
    application_ids: Sequence[int],
    created_by: str,
) -> Broadcast:
    """Invite everyone whose hearing is on `hearing_date`, and the cases named (DOMAIN.md,
    "Notices": staff broadcast hearing invitations)."""
    ids = list(application_ids)
    if hearing_date is not None:
        ids += await hearings_on(session, env, hearing_date)
    if not ids:
        raise NotFound("no scheduled hearings match", hearing_date=hearing_date)
    return await create_broadcast(
        session, env, kind=NoticeKind.HEARING_INVITATION, application_ids=ids, created_by=created_by
    )


def failed_filter() -> Any:
    """SMS or chat failed for good: the notice waits in the print queue as a fallback."""
    return (Notice.status == NoticeStatus.TO_PRINT) & Notice.failed_channel.is_not(None)


# A recipient is counted once, in the bucket of their most advanced notice: one delivered row
# makes them delivered whatever the other channel did; "failed" only once nothing is left in
# flight. Print chosen from the start never shares a recipient with an electronic row.
_RANKED_BUCKETS = ("printed", "failed", "queued", "sent", "handed_over", "delivered")
_LIVE = (NoticeStatus.QUEUED, NoticeStatus.SENDING, NoticeStatus.SENT)


def _rank() -> Any:
    r = _RANKED_BUCKETS.index
    return case(
        (Notice.status == NoticeStatus.DELIVERED, r("delivered")),
        (Notice.status == NoticeStatus.HANDED_OVER, r("handed_over")),
        (Notice.status == NoticeStatus.SENT, r("sent")),
        (Notice.status.in_([NoticeStatus.QUEUED, NoticeStatus.SENDING]), r("queued")),
        (failed_filter(), r("failed")),
        else_=r("printed"),
    )


async def resend_failed(
    session: AsyncSession, env: CaseEnv, broadcast_id: int, *, actor: str
) -> int:
    """Try the failed recipients again (a number corrected, a registry updated); returns how many.

    Only recipients with nothing delivered or handed over are tried. The channels are chosen
    afresh; a failed row goes again by a channel the recipient has no notice in flight on, and
    whoever still has no electronic channel stays in the print queue.
    """
    await get_broadcast(session, broadcast_id)
    rows = (
        await session.scalars(
            select(Notice)
            .where(Notice.broadcast_id == broadcast_id)
            .order_by(Notice.id)
            .with_for_update()
        )
    ).all()
    by_recipient: dict[int, list[Notice]] = {}
    for row in rows:
        by_recipient.setdefault(row.applicant_id, []).append(row)
    resent = 0
    for recipient_rows in by_recipient.values():
        if any(n.status in FINAL_STATUSES for n in recipient_rows):
            continue
        failed = [
            n for n in recipient_rows if n.status is NoticeStatus.TO_PRINT and n.failed_channel
        ]
        busy = {n.channel for n in recipient_rows if n.status in _LIVE}
        again = False
        for notice in failed:
            app = await load_application(session, notice.application_id)
            routes = await notices.choose_routes(session, app, app.applicant, notice.kind)
            route = next(
                (
                    r
                    for r in routes
                    if r.channel is not NoticeChannel.PRINT
                    and r.channel not in busy
                    and not r.shown
                ),
                None,
            )
            if route is None:
                continue
            busy.add(route.channel)
            requeue(notice, route, at=env.now())
            await record(
                session,
                app,
                "notice_resent",
                actor=actor,
                at=env.now(),
                reason=notice.kind.value,
            )
            again = True
        resent += again
    await session.flush()
    return resent


async def get_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast:
    return await rows.get(session, Broadcast, broadcast_id, what="broadcast", key="broadcast_id")


async def recent_broadcasts(session: AsyncSession, limit: int = 100) -> list[Broadcast]:
    return list(await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))


async def broadcast_counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """Live counts of recipients; each is in exactly one bucket, so they add up to `total`.
    A recipient whose notice a filling broadcast has not written yet is queued.

    queued: not yet with a provider · sent: with the provider, receipt awaited · delivered ·
    failed: SMS/chat failed for good, waiting in the print queue · printed: print was the channel
    (waiting or handed over), or a failed one already handed over.
    """
    best = (
        select(Notice.applicant_id, func.max(_rank()).label("rank"))
        .where(Notice.broadcast_id == broadcast_id)
        .group_by(Notice.applicant_id)
        .subquery()
    )
    rows = await session.execute(select(best.c.rank, func.count()).group_by(best.c.rank))
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for rank, n in rows:
        bucket = _RANKED_BUCKETS[rank]
        counts["printed" if bucket == "handed_over" else bucket] += n
    counts["queued"] += await _not_yet_written(session, broadcast_id)
    counts["total"] = sum(counts[k] for k in COUNT_KEYS)
    return counts


async def _not_yet_written(session: AsyncSession, broadcast_id: int) -> int:
    """Recipients of a broadcast still filling whose notices are not written yet: queued too."""
    written = select(Notice.applicant_id).where(Notice.broadcast_id == broadcast_id)
    stmt = (
        select(func.count(func.distinct(Application.applicant_id)))
        .join(BroadcastTarget, BroadcastTarget.application_id == Application.id)
        .where(
            BroadcastTarget.broadcast_id == broadcast_id,
            BroadcastTarget.filled.is_(False),
            Application.applicant_id.not_in(written),
        )
    )
    return await session.scalar(stmt) or 0
