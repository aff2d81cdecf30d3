"""Moving a case through the transition table, and the audit row every change leaves behind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import IllegalTransition
from casework.law.status import Status, allowed
from casework.tables.applications import Application
from casework.tables.audit import AuditEvent


async def move(
    session: AsyncSession,
    application: Application,
    target: Status,
    *,
    actor: str,
    at: datetime,
    action: str | None = None,
    reason: str | None = None,
) -> None:
    """Move the case and record who moved it; an illegal move raises and changes nothing."""
    current = application.status
    if not allowed(current, target):
        raise IllegalTransition(
            f"application {application.id}: cannot go from {current} to {target}",
            current=current.value,
            target=target.value,
        )
    application.status = target
    application.updated_at = at
    _audit(session, application, action or target.value, actor, at, reason, current)
    await session.flush()


async def record(
    session: AsyncSession,
    application: Application,
    action: str,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    opened: bool = False,
) -> None:
    """An audit entry for a change that does not move the case (an upload, an answer); with
    `opened`, for a case that comes into being in its state (holiday assistance is granted,
    not filed), so there is no state it came from."""
    _audit(session, application, action, actor, at, reason, None if opened else application.status)
    await session.flush()


async def trail(session: AsyncSession, application_id: int) -> list[AuditEvent]:
    """Everything done to a case, oldest first."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.application_id == application_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(rows)


def _audit(
    session: AsyncSession,
    application: Application,
    action: str,
    actor: str,
    at: datetime,
    reason: str | None,
    from_status: Status | None,
) -> None:
    session.add(AuditEvent(**audit_row(application, action, actor, at, reason, from_status)))


def audit_row(
    application: Application,
    action: str,
    actor: str,
    at: datetime,
    reason: str | None,
    from_status: Status | None,
) -> dict[str, Any]:
    """An audit entry's columns; a batch (a broadcast) inserts thousands in one statement."""
    return {
        "application_id": application.id,
        "actor": actor,
        "action": action,
        "from_status": from_status,
        "to_status": application.status,
        "reason": reason,
        "at": at,
    }
