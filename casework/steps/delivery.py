"""Notices on their way: the one state machine every result goes through, and what a notice
reaching the applicant means for the case.

The worker's results, delivery receipts, the print queue's hand-over and resends all move a
notice only along `NOTICE_MOVES`; a move the table does not allow (a late receipt after delivery,
a second hand-over) changes nothing. An electronic channel that fails for good falls back to
print by one path (SR §15). The objection window runs from receipt of the preliminary refusal,
and a decision is notified once its notice reached the applicant by chat, SMS or a handed-over
print; one notice may go by SMS and chat (two rows), so the first delivery applies the effect
and the next finds it applied.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.errors import DomainError
from casework.law.notices import (
    AFTER_OUTCOME,
    CASE_MOVING_KINDS,
    FALLBACK_REASON,
    OPTIONAL_KINDS,
    REFUSAL_RECEIPT_KINDS,
    SMS_ONLY_KINDS,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    Outcome,
    may_move,
)
from casework.law.status import DECIDED_OR_NOTIFIED
from casework.steps import rows
from casework.steps.case_file import load_application
from casework.steps.decisions import mark_notified
from casework.steps.hearings import mark_refusal_received
from casework.steps.notices import Route, render_notice
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.notices import ERROR_CODE_LENGTH, Notice

log = logging.getLogger(__name__)

# Never printed: a code nobody typed is worthless, and an optional message that could not be sent
# is not worth a trip to the office. One whose channel failed for good rests in `to_print`, out
# of the print queue.
NEVER_PRINTED = SMS_ONLY_KINDS | OPTIONAL_KINDS


class PrintError(DomainError):
    code = "print_error"


def after_send(outcome: Outcome) -> NoticeStatus:
    """Where the worker's own send takes the notice it claimed (in `sending`)."""
    target = AFTER_OUTCOME[outcome]
    assert may_move(NoticeStatus.SENDING, target), target
    return target


def fallback_columns(channel: NoticeChannel) -> dict[str, Any]:
    """What falling back to print sets on a notice whose channel failed for good: the one
    fallback, for the worker's batched results and for single notices alike."""
    return {
        "status": NoticeStatus.TO_PRINT,
        "channel": NoticeChannel.PRINT,
        "failed_channel": channel,
        "channel_reason": FALLBACK_REASON[channel],
    }


async def _notice_for_receipt(
    session: AsyncSession, *, notice_id: int | None, provider_id: str | None
) -> Notice | None:
    """The notice a delivery receipt speaks of, locked."""
    if notice_id is not None:
        if not 0 < notice_id <= rows.ID_MAX:
            return None
        return await session.get(Notice, notice_id, with_for_update=True)
    if not provider_id:
        return None
    stmt = select(Notice).where(Notice.provider_id == provider_id).with_for_update()
    return (await session.scalars(stmt)).first()


async def receive_receipt(
    session: AsyncSession,
    env: CaseEnv,
    *,
    notice_id: int | None,
    outcome: Outcome,
    channel: NoticeChannel,
    provider: str,
    provider_id: str | None,
    provider_status: str,
    error_code: str | None,
) -> bool:
    """Move a notice by a provider's delivery receipt (for our notice id, else the provider's
    message id); False when there is no such notice, or the receipt is late, stale (for an
    earlier message, before a resend) or not allowed by the table."""
    notice = await _notice_for_receipt(session, notice_id=notice_id, provider_id=provider_id)
    if notice is None or notice.channel is not channel:
        return False  # the provider speaks only of its own channel's messages
    if provider_id and notice.provider_id and notice.provider_id != provider_id:
        return False
    target = AFTER_OUTCOME[outcome]
    if outcome is Outcome.TRANSIENT or not may_move(notice.status, target):
        return False
    at = env.now()
    if notice.status is NoticeStatus.SENDING:
        # The receipt overtook the worker's write: take the row over from the claim.
        notice.provider_id, notice.provider, notice.claim_token = provider_id, provider, None
        notice.sent_at = notice.sent_at or at
    notice.provider_status = provider_status
    notice.updated_at = at
    if target is NoticeStatus.TO_PRINT:
        for name, value in fallback_columns(notice.channel).items():
            setattr(notice, name, value)
        notice.error_code = (error_code or "")[:ERROR_CODE_LENGTH] or None
        return True
    notice.status = target
    if target is NoticeStatus.DELIVERED:
        notice.delivered_at = at
        await notice_reached(
            session,
            env,
            application_id=notice.application_id,
            kind=notice.kind,
            at=at,
            via=notice.channel.value,
        )
    return True


async def hand_over(session: AsyncSession, env: CaseEnv, notice_id: int, *, actor: str) -> Notice:
    """The applicant took the printed notice at the office: it reached them (SR §15)."""
    notice = await get_notice(session, notice_id, for_update=True)
    if not may_move(notice.status, NoticeStatus.HANDED_OVER):
        raise PrintError(
            f"notice {notice_id} is {notice.status}, not in the print queue",
            current=notice.status.value,
        )
    now = env.now()
    for row in [notice, *await _print_copies(session, notice)]:
        row.status = NoticeStatus.HANDED_OVER
        row.handed_over_at = row.updated_at = now
        row.handed_over_by = actor
    await notice_reached(
        session, env, application_id=notice.application_id, kind=notice.kind, at=now, via="print"
    )
    if notice.kind in REFUSAL_RECEIPT_KINDS:
        # What the sheet said: the last day to object, counted from today's receipt.
        notice.text = await _as_handed_over(session, env, notice)
    await session.flush()
    return notice


async def print_text(session: AsyncSession, env: CaseEnv, notice: Notice) -> str:
    """The words to print now. A notice is printed when the applicant comes for it (SR §15), so
    a preliminary refusal not yet handed over reads as handed over today: the objection window
    runs from receipt (APPC art. 73(3)), and the sheet names its last day, not "if today"."""
    if notice.kind in REFUSAL_RECEIPT_KINDS and notice.status is NoticeStatus.TO_PRINT:
        return await _as_handed_over(session, env, notice)
    return notice.text


async def _as_handed_over(session: AsyncSession, env: CaseEnv, notice: Notice) -> str:
    app = await load_application(session, notice.application_id)
    applicant = await session.get(Applicant, notice.applicant_id)
    assert applicant is not None
    return render_notice(
        env, app, applicant, notice.kind, notice.payload, notice.locale, handed_over_on=env.today()
    ).text


async def print_queue(session: AsyncSession, *, limit: int = 200) -> list[Notice]:
    """Notices waiting to be printed and handed over, oldest first, each notice once (a code
    that could not be sent is never printed: the applicant asks for a new one; nor is a
    reminder)."""
    stmt = (
        select(Notice)
        .where(Notice.status == NoticeStatus.TO_PRINT, Notice.kind.not_in(NEVER_PRINTED))
        .order_by(Notice.created_at, Notice.id)
        .limit(limit)
    )
    once = {_same_notice(n): n for n in reversed((await session.scalars(stmt)).all())}
    return sorted(once.values(), key=lambda n: (n.created_at, n.id))


def _same_notice(n: Notice) -> tuple[int, NoticeKind, datetime]:
    # The rows of one notice are written together: one case, one kind, one moment.
    return n.application_id, n.kind, n.created_at


async def _print_copies(session: AsyncSession, notice: Notice) -> list[Notice]:
    """The notice's other rows waiting in the print queue: an applicant with no registered phone
    has a print row from the start, and their chat row falls back to print if it fails."""
    application_id, kind, created_at = _same_notice(notice)
    stmt = (
        select(Notice)
        .where(
            Notice.application_id == application_id,
            Notice.kind == kind,
            Notice.created_at == created_at,
            Notice.status == NoticeStatus.TO_PRINT,
            Notice.id != notice.id,
        )
        .with_for_update()
    )
    return list((await session.scalars(stmt)).all())


async def get_notice(session: AsyncSession, notice_id: int, *, for_update: bool = False) -> Notice:
    """A notice staff may print or hand over: a one-time code is nobody's to read but the
    applicant's, and a reminder is never printed, so for the print queue neither exists."""
    notice = await rows.get(
        session, Notice, notice_id, what="notice", key="notice_id", for_update=for_update
    )
    if notice.kind in NEVER_PRINTED:
        raise rows.not_found(notice_id, what="notice", key="notice_id")
    return notice


def claimable(opened: Any) -> ColumnElement[bool]:
    """What the worker may take from the queue: any notice, but an optional message only in
    working hours on the working day it was written (`opened`: that day's opening, None outside
    working hours; a bound parameter in a statement built once). Never at night, never a day
    late: one left waiting (a retry past closing, a worker that was down) is withdrawn instead
    (`withdraw`)."""
    if opened is None:
        return Notice.kind.not_in(OPTIONAL_KINDS)
    return or_(Notice.kind.not_in(OPTIONAL_KINDS), Notice.created_at >= opened)


def too_late(env: CaseEnv, now: datetime, created_at: datetime) -> bool:
    """An optional message written at `created_at` can no longer go (see `claimable`)."""
    opened = opened_today(env, now)
    return opened is None or created_at < opened


def opened_today(env: CaseEnv, now: datetime) -> datetime | None:
    """The opening of the working hours `now` falls in; None outside working hours."""
    cal = env.calendar
    if not cal.is_working_time(now):
        return None
    return datetime.combine(cal.local_date(now), cal.work_start, cal.tz)


async def withdraw(session: AsyncSession, notice_ids: list[int], *, at: datetime) -> int:
    """Take optional messages still waiting in the queue out of it; one a worker has claimed
    meanwhile goes on. Returns how many were withdrawn."""
    assert may_move(NoticeStatus.QUEUED, NoticeStatus.WITHDRAWN)
    if not notice_ids:
        return 0
    stmt = (
        update(Notice)
        .where(
            Notice.id.in_(notice_ids),
            Notice.status == NoticeStatus.QUEUED,
            Notice.kind.in_(OPTIONAL_KINDS),
        )
        .values(status=NoticeStatus.WITHDRAWN, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], await session.execute(stmt))
    return result.rowcount or 0


def requeue(notice: Notice, route: Route, *, at: datetime) -> None:
    """Send a notice that failed for good again, by the channel chosen afresh (a resend)."""
    assert may_move(notice.status, NoticeStatus.QUEUED), notice.status
    notice.channel, notice.channel_reason, notice.address = (
        route.channel,
        route.reason,
        route.address,
    )
    notice.failed_channel = None
    notice.status = NoticeStatus.QUEUED
    notice.attempts = 0
    notice.due_at = notice.updated_at = at
    notice.claim_token = notice.provider_id = notice.provider_status = None


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
    app = await load_application(session, application_id, for_update=True)
    if kind in REFUSAL_RECEIPT_KINDS:
        await mark_refusal_received(session, env, app, at)  # keeps the first receipt
    elif app.status in DECIDED_OR_NOTIFIED:
        # Past them (terminated since) a late decision notice moves nothing.
        await mark_notified(session, env, app, actor="gateway", via=via)


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
            log.warning("application %s: delivery not applied to the case: %s", application_id, exc)
