"""Notice kinds and the outbox hook the use cases call (filled in by the gateway issue)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from casework.cases import CaseEnv
    from casework.models import Application


class NoticeKind(StrEnum):
    ACCEPTANCE_RECEIPT = "acceptance_receipt"
    REFUSAL_TO_ACCEPT = "refusal_to_accept"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    HEARING_INVITATION = "hearing_invitation"
    DECISION_GRANTED = "decision_granted"
    DECISION_REFUSED = "decision_refused"
    TERMINATION = "termination"
    HOLIDAY_ASSISTANCE = "holiday_assistance"


async def enqueue(
    session: AsyncSession,
    env: CaseEnv,
    application: Application,
    kind: NoticeKind,
    payload: dict[str, Any],
) -> None:
    """Write the notice into the outbox inside the caller's transaction."""
    return None
