"""The application's lifecycle: its states and the one table of legal moves between them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from casework.models import Application


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED_TO_ACCEPT = "refused_to_accept"
    REGISTERED = "registered"
    AT_PRECINCT_COMMISSION = "at_precinct_commission"
    INCOME_COMPUTED = "income_computed"
    AT_SPECIAL_COMMISSION = "at_special_commission"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    OBJECTION_RECEIVED = "objection_received"
    HEARING_HELD = "hearing_held"
    PROTOCOL_MADE = "protocol_made"
    REMARKS_RECEIVED = "remarks_received"
    GRANTED = "granted"
    REFUSED = "refused"
    NOTIFIED_GRANTED = "notified_granted"
    NOTIFIED_REFUSED = "notified_refused"
    TERMINATED = "terminated"


S = Status
_DECIDE = (S.GRANTED, S.REFUSED)

# from-state -> the states it may move to (DOMAIN.md "The case, step by step").
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    S.DRAFT: (S.SUBMITTED,),
    # Completeness check: an acceptance receipt or a refusal-to-accept receipt (SR §6).
    S.SUBMITTED: (S.ACCEPTED, S.REFUSED_TO_ACCEPT),
    S.ACCEPTED: (S.REGISTERED,),
    # Grounds 1, 2, 4 are inspected first (SR §7); the others go straight to the commission.
    S.REGISTERED: (S.AT_PRECINCT_COMMISSION, S.AT_SPECIAL_COMMISSION),
    S.AT_PRECINCT_COMMISSION: (S.INCOME_COMPUTED, S.AT_SPECIAL_COMMISSION),
    S.INCOME_COMPUTED: (S.AT_SPECIAL_COMMISSION,),
    # A refusal is never decided without a preliminary refusal and a hearing (APPC art. 73).
    S.AT_SPECIAL_COMMISSION: (S.GRANTED, S.PRELIMINARY_REFUSAL),
    S.PRELIMINARY_REFUSAL: (S.OBJECTION_RECEIVED, S.HEARING_HELD, *_DECIDE),
    S.OBJECTION_RECEIVED: (S.OBJECTION_RECEIVED, S.HEARING_HELD, *_DECIDE),
    S.HEARING_HELD: (S.PROTOCOL_MADE, *_DECIDE),
    S.PROTOCOL_MADE: (S.REMARKS_RECEIVED, *_DECIDE),
    S.REMARKS_RECEIVED: (S.REMARKS_RECEIVED, *_DECIDE),
    S.GRANTED: (S.NOTIFIED_GRANTED, S.TERMINATED),
    S.REFUSED: (S.NOTIFIED_REFUSED,),
    S.NOTIFIED_GRANTED: (S.TERMINATED,),
}

FINAL: frozenset[Status] = frozenset(
    {S.REFUSED_TO_ACCEPT, S.NOTIFIED_REFUSED, S.TERMINATED}
)


class DomainError(Exception):
    """A request the law does not allow; `code` is stable for APIs, `params` for messages."""

    code = "domain_error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.params = params


class IllegalTransition(DomainError):
    code = "illegal_transition"


def allowed(current: Status, target: Status) -> bool:
    return target in TRANSITIONS.get(current, ())


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
    from casework.models import AuditEvent

    current = application.status
    if not allowed(current, target):
        raise IllegalTransition(
            f"application {application.id}: cannot go from {current} to {target}",
            current=current.value,
            target=target.value,
        )
    application.status = target
    application.updated_at = at
    session.add(
        AuditEvent(
            application_id=application.id,
            actor=actor,
            action=action or target.value,
            from_status=current,
            to_status=target,
            reason=reason,
            at=at,
        )
    )
    await session.flush()


async def record(
    session: AsyncSession,
    application: Application,
    action: str,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> None:
    """An audit entry for a change that does not move the case (an upload, an answer)."""
    from casework.models import AuditEvent

    session.add(
        AuditEvent(
            application_id=application.id,
            actor=actor,
            action=action,
            from_status=application.status,
            to_status=application.status,
            reason=reason,
            at=at,
        )
    )
    await session.flush()
