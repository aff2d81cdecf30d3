"""Writing a broadcast's notices: a few hundred cases per transaction, in the background.

A broadcast of thousands (a day of hearings, a holiday list) is created at once with the list of
its cases (`broadcast_targets`); its notices are then written a chunk at a time, each chunk in
one transaction with a bounded number of statements: the cases loaded together, the registry
asked once, the rows flushed together. Small broadcasts are filled in the request that creates
them (staff see the counts at once); large ones by `fill_pending`, which the delivery worker runs
every pass, so a crash mid-way resumes where it stopped and two workers never fill one together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.errors import DomainError
from casework.law.notices import DECISION_KINDS, HEARING_KINDS, NoticeKind
from casework.steps import notices
from casework.steps.audit import audit_row
from casework.steps.case_file import CASE_LOADS
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.audit import AuditEvent
from casework.tables.base import table
from casework.tables.notices import Broadcast, BroadcastTarget, Notice

log = logging.getLogger(__name__)

CHUNK = 500  # cases per transaction: short enough not to hold SQLite's writer for long
SYNC_LIMIT = 200  # up to this many cases the request that creates the broadcast fills it
STALE_AFTER = timedelta(seconds=60)  # a filler that has not written for this long has died


class BroadcastError(DomainError):
    code = "broadcast_error"


def case_payload(kind: NoticeKind, app: Application) -> dict[str, Any]:
    """What a notice of `kind` says about this case: the hearing it invites to."""
    if kind in HEARING_KINDS:
        hearing = app.latest_hearing
        if hearing is None:
            raise BroadcastError(
                f"application {app.id} has no scheduled hearing", application_id=app.id
            )
        return {"hearing_id": hearing.id}
    if kind in DECISION_KINDS and not app.decisions:
        raise BroadcastError(f"application {app.id} has no decision", application_id=app.id)
    return {}


async def fill_chunk(
    session: AsyncSession, env: CaseEnv, broadcast: Broadcast, application_ids: Sequence[int]
) -> int:
    """Write the notices of these cases of the broadcast, in the caller's transaction."""
    loaded = await session.scalars(
        select(Application).where(Application.id.in_(application_ids)).options(*CASE_LOADS)
    )
    apps = {app.id: app for app in loaded}
    phones = {
        app.id: phone
        for app in apps.values()
        if (phone := notices.notice_phone(app, app.applicant)) is not None
    }
    registered = await notices.registered_pairs(
        session, {(apps[i].applicant.iin, phone) for i, phone in phones.items()}
    )
    now = env.now()
    written: list[Notice] = []
    audit: list[dict[str, Any]] = []
    for app_id in application_ids:
        app = apps.get(app_id)
        try:
            if app is None:
                raise BroadcastError(f"application {app_id} is gone", application_id=app_id)
            payload = {**broadcast.payload, **case_payload(broadcast.kind, app)}
        except BroadcastError as exc:  # changed since the broadcast was made: skip, say so
            log.warning("broadcast %s: %s", broadcast.id, exc)
            continue
        kind = broadcast.kind.value
        sms = (app.applicant.iin, phones.get(app.id)) in registered
        routes = notices.routes_for(app, app.applicant, broadcast.kind, sms_registered=sms)
        written += await notices.enqueue(
            session,
            env,
            app,
            broadcast.kind,
            payload,
            broadcast_id=broadcast.id,
            routes=routes,
            add=False,
        )
        # A notice sent moves nothing: the case stays in its state.
        actor = broadcast.created_by
        audit.append(audit_row(app, "notice_broadcast", actor, now, kind, app.status))
    # Table inserts: the ORM would insert these one by one to learn each new id.
    if written:
        await session.execute(insert(table(Notice)), [_columns(n) for n in written])
    if audit:
        await session.execute(insert(table(AuditEvent)), audit)
    await session.execute(
        update(BroadcastTarget)
        .where(
            BroadcastTarget.broadcast_id == broadcast.id,
            BroadcastTarget.application_id.in_(application_ids),
        )
        .values(filled=True)
    )
    broadcast.filled += len(application_ids)
    broadcast.fill_beat_at = now
    if broadcast.filled >= broadcast.targets:
        broadcast.filled_at = now
    await session.flush()
    return len(application_ids)


_NOTICE_COLUMNS = [c.key for c in Notice.__table__.columns if c.key != "id"]


def _columns(notice: Notice) -> dict[str, Any]:
    return {key: getattr(notice, key) for key in _NOTICE_COLUMNS}


async def _unfilled(session: AsyncSession, broadcast_id: int, limit: int) -> list[int]:
    stmt = (
        select(BroadcastTarget.application_id)
        .where(BroadcastTarget.broadcast_id == broadcast_id, BroadcastTarget.filled.is_(False))
        .order_by(BroadcastTarget.application_id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def _take(session: AsyncSession, env: CaseEnv, broadcast_id: int) -> bool:
    """Become the broadcast's filler, unless a live one is at it (one atomic UPDATE)."""
    now = env.now()
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.filled_at.is_(None),
            or_(Broadcast.fill_beat_at.is_(None), Broadcast.fill_beat_at < now - STALE_AFTER),
        )
        .values(fill_beat_at=now)
    )
    return (cast(CursorResult[Any], result).rowcount or 0) == 1


async def fill(sessions: async_sessionmaker[AsyncSession], env: CaseEnv, broadcast_id: int) -> int:
    """Fill one broadcast to its end, a chunk per transaction; 0 if another filler has it."""
    async with transaction(sessions) as session:
        if not await _take(session, env, broadcast_id):
            return 0
    done = 0
    while True:
        async with transaction(sessions) as session:
            broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
            if broadcast is None or broadcast.filled_at is not None:
                return done
            ids = await _unfilled(session, broadcast_id, CHUNK)
            if not ids:  # all written (counts drifted): close it
                broadcast.filled_at = broadcast.fill_beat_at = env.now()
                return done
            done += await fill_chunk(session, env, broadcast, ids)


async def fill_pending(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> int:
    """Fill every broadcast still filling whose filler is not alive (the worker's pass)."""
    async with sessions() as session:
        waiting = list(
            await session.scalars(
                select(Broadcast.id)
                .where(
                    Broadcast.filled_at.is_(None),
                    or_(
                        Broadcast.fill_beat_at.is_(None),
                        Broadcast.fill_beat_at < env.now() - STALE_AFTER,
                    ),
                )
                .order_by(Broadcast.id)
            )
        )
    return sum([await fill(sessions, env, broadcast_id) for broadcast_id in waiting])
