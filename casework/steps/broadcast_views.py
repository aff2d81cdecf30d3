"""What the console shows of hearings, broadcasts and the print queue: read-only views.

The acts themselves are elsewhere: the invitations and the resend to the failed in
`casework.steps.broadcasts`, printing and the hand-over in `casework.steps.delivery`. Here are the
lists a clerk picks from: the days with hearings still to be held and each day's hearings, a
broadcast's recipients with where each one's notice is, and the print queue with the applicants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.rules import HearingMode
from casework.law.status import AWAITING_HEARING, Status
from casework.steps import delivery
from casework.steps.broadcasts import COUNT_KEYS, get_broadcast
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.hearings import Hearing
from casework.tables.notices import Notice

# ------------------------------------------------------------------ hearings


@dataclass(frozen=True)
class ScheduledHearing:
    """A hearing still to be held, with its case and applicant (IIN as stored: mask to show)."""

    application_id: int
    hearing_id: int
    scheduled_at: datetime
    mode: HearingMode
    details: str | None
    status: Status
    full_name: str
    iin: str
    invited_at: datetime | None  # the latest hearing invitation written for the case, if any


async def hearing_days(
    session: AsyncSession, env: CaseEnv, *, since: date, limit: int = 60
) -> list[tuple[date, int]]:
    """The local days from `since` on with hearings still to be held, and how many on each
    (the same hearings `casework.steps.hearings.hearings_on` invites)."""
    start = datetime.combine(since, time(0), tzinfo=env.calendar.tz)
    stmt = (
        select(Hearing.scheduled_at)
        .join(Application, Hearing.application_id == Application.id)
        .where(
            Application.status.in_(AWAITING_HEARING),
            Hearing.held_at.is_(None),
            Hearing.scheduled_at >= start,
        )
        .order_by(Hearing.scheduled_at)
    )
    days = Counter(env.calendar.local_date(at) for at in await session.scalars(stmt))
    return sorted(days.items())[:limit]


async def hearings_of_day(session: AsyncSession, env: CaseEnv, day: date) -> list[ScheduledHearing]:
    """The hearings still to be held on this local day, by time."""
    start = datetime.combine(day, time(0), tzinfo=env.calendar.tz)
    stmt = (
        select(Hearing, Application.status, Applicant)
        .join(Application, Hearing.application_id == Application.id)
        .join(Applicant, Application.applicant_id == Applicant.id)
        .where(
            Application.status.in_(AWAITING_HEARING),
            Hearing.held_at.is_(None),
            Hearing.scheduled_at >= start,
            Hearing.scheduled_at < start + timedelta(days=1),
        )
        .order_by(Hearing.scheduled_at, Application.id)
    )
    found = (await session.execute(stmt)).all()
    invited = await _last_invitations(session, [h.application_id for h, _, _ in found])
    return [
        ScheduledHearing(
            application_id=h.application_id,
            hearing_id=h.id,
            scheduled_at=h.scheduled_at,
            mode=HearingMode(h.mode),
            details=h.details,
            status=Status(status),
            full_name=applicant.full_name,
            iin=applicant.iin,
            invited_at=invited.get(h.application_id),
        )
        for h, status, applicant in found
    ]


async def _last_invitations(
    session: AsyncSession, application_ids: Sequence[int]
) -> dict[int, datetime]:
    if not application_ids:
        return {}
    stmt = (
        select(Notice.application_id, func.max(Notice.created_at))
        .where(
            Notice.application_id.in_(application_ids),
            Notice.kind == NoticeKind.HEARING_INVITATION,
        )
        .group_by(Notice.application_id)
    )
    return {app_id: at for app_id, at in await session.execute(stmt)}


# ------------------------------------------------------------------ broadcasts

# Where one outbox row stands, in the buckets of `broadcasts.broadcast_counts`: a recipient is in
# the bucket of their most advanced row (the later in this order).
_RANKED = ("printed", "failed", "queued", "sent", "handed_over", "delivered")
# The order recipients are listed in: those a clerk may act on first.
_SHOWN_FIRST = ("failed", "queued", "sent", "printed", "delivered")
assert set(_SHOWN_FIRST) == set(COUNT_KEYS)


def row_bucket(notice: Notice) -> str:
    """The count one outbox row stands for: queued, sent, delivered, failed or printed
    ("handed_over" while ranking; it counts as printed)."""
    status = notice.status
    if status is NoticeStatus.DELIVERED:
        return "delivered"
    if status is NoticeStatus.HANDED_OVER:
        return "handed_over"
    if status is NoticeStatus.SENT:
        return "sent"
    if status in (NoticeStatus.QUEUED, NoticeStatus.SENDING):
        return "queued"
    if status is NoticeStatus.TO_PRINT and notice.failed_channel is not None:
        return "failed"
    return "printed"


@dataclass(frozen=True)
class Recipient:
    """One applicant of a broadcast: where they stand, and each outbox row of their notice."""

    applicant_id: int
    application_id: int
    full_name: str
    iin: str
    phone: str | None
    state: str  # one of broadcasts.COUNT_KEYS
    notices: list[Notice]

    @property
    def failed_channels(self) -> list[NoticeChannel]:
        return [n.failed_channel for n in self.notices if n.failed_channel is not None]


async def broadcast_recipients(session: AsyncSession, broadcast_id: int) -> list[Recipient]:
    """Every recipient of the broadcast, failed first, then waiting, then the rest; each is in
    the same bucket as in `broadcast_counts`."""
    await get_broadcast(session, broadcast_id)
    stmt = (
        select(Notice, Applicant, Application.phone)
        .join(Applicant, Notice.applicant_id == Applicant.id)
        .join(Application, Notice.application_id == Application.id)
        .where(Notice.broadcast_id == broadcast_id)
        .order_by(Notice.id)
    )
    grouped: dict[int, tuple[Applicant, str | None, list[Notice]]] = {}
    for notice, applicant, phone in (await session.execute(stmt)).all():
        grouped.setdefault(applicant.id, (applicant, phone, []))[2].append(notice)
    out = []
    for applicant, phone, notices in grouped.values():
        best = max(_RANKED.index(row_bucket(n)) for n in notices)
        state = _RANKED[best]
        out.append(
            Recipient(
                applicant_id=applicant.id,
                application_id=notices[0].application_id,
                full_name=applicant.full_name,
                iin=applicant.iin,
                phone=phone or applicant.phone,
                state="printed" if state == "handed_over" else state,
                notices=notices,
            )
        )
    return sorted(out, key=lambda r: (_SHOWN_FIRST.index(r.state), r.application_id))


# ------------------------------------------------------------------ the print queue


@dataclass(frozen=True)
class ToPrint:
    notice: Notice
    full_name: str
    iin: str


async def print_list(session: AsyncSession, *, limit: int = 200) -> list[ToPrint]:
    """`delivery.print_queue` with the applicant each notice is for."""
    queue = await delivery.print_queue(session, limit=limit)
    ids = {n.applicant_id for n in queue}
    applicants = {
        a.id: a
        for a in (await session.scalars(select(Applicant).where(Applicant.id.in_(ids)))).all()
    }
    return [
        ToPrint(n, applicants[n.applicant_id].full_name, applicants[n.applicant_id].iin)
        for n in queue
    ]


async def applicant_of(session: AsyncSession, notice: Notice) -> Applicant:
    applicant = await session.get(Applicant, notice.applicant_id)
    assert applicant is not None
    return applicant
