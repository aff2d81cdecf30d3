"""What a notice reaching the applicant means for the case, shared by worker, webhooks and print.

The objection window runs from receipt of the preliminary refusal (SR §15), and a decision is
notified once its notice reached the applicant by chat, SMS or a handed-over print. One notice may
go by SMS and by chat (two outbox rows), so every effect is applied by the first delivery and
found already applied by the next: the case's status and the hearing's receipt time guard it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework import cases
from casework.cases import CaseEnv
from casework.db import transaction
from casework.lifecycle import DomainError, Status
from casework.notices import DECISION_KINDS, REFUSAL_RECEIPT_KINDS, NoticeKind

log = logging.getLogger(__name__)

CASE_MOVING_KINDS = REFUSAL_RECEIPT_KINDS | DECISION_KINDS
# A decision notice delivered in any of these states is the decision's notice (a second
# delivery meets the chat term at most); past them (terminated) it moves nothing.
_DECIDED = frozenset(
    {Status.GRANTED, Status.REFUSED, Status.NOTIFIED_GRANTED, Status.NOTIFIED_REFUSED}
)


async def notice_reached(
    session: AsyncSession,
    env: CaseEnv,
    *,
    application_id: int,
    kind: NoticeKind,
    at: datetime,
    via: str,
) -> None:
    """Apply the case effect of a delivered notice; a no-op for kinds that move nothing."""
    if kind not in CASE_MOVING_KINDS:
        return
    app = await cases.load_application(session, application_id, for_update=True)
    if kind in REFUSAL_RECEIPT_KINDS:
        await cases.mark_refusal_received(session, env, app, at)  # keeps the first receipt
    elif app.status in _DECIDED:
        await cases.mark_notified(session, env, app, actor="gateway", via=via)


async def notices_reached(
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    reached: list[tuple[int, NoticeKind, datetime, str]],
) -> None:
    """Each in its own transaction: one case's refusal to move must not hold up the others."""
    for application_id, kind, at, via in reached:
        if kind not in CASE_MOVING_KINDS:
            continue
        try:
            async with transaction(sessions) as session:
                await notice_reached(
                    session, env, application_id=application_id, kind=kind, at=at, via=via
                )
        except DomainError as exc:
            log.warning("application %s: delivery not applied to the case: %s",
                        application_id, exc)
