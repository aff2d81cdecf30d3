"""The proof of notice: how one notice reached the applicant, or why it has not yet.

Everything comes from records nothing here writes: the outbox row (the route and why it was
chosen, the provider and its message id, the hand-over), the mobile citizens database's answer
for the phone (SR §15: SMS only to a phone registered to the IIN), and `notice_events`, which a
database trigger fills on every status change. Its words and masking are the gateway's; viewing
one is recorded like a lookup of the person (casework.steps.lookups).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.notices import NoticeStatus
from casework.steps import lookups, rows
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.lookups import LookupKind
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice, NoticeEvent

# Statuses in which the notice has reached the applicant.
REACHED = (NoticeStatus.DELIVERED, NoticeStatus.HANDED_OVER)


@dataclass(frozen=True)
class McdbAnswer:
    """What the mobile citizens database says of the phone the application gave."""

    phone: str | None  # the phone asked about (None: the application gave none)
    registered_on: date | None  # None: not registered to this IIN


@dataclass(frozen=True)
class NoticeProof:
    notice: Notice
    iin: str
    full_name: str
    mcdb: McdbAnswer
    events: list[NoticeEvent]
    reached_at: datetime | None  # when it reached the applicant (delivered or handed over)
    # True/False once decided; None when there is no term, or it runs on and nothing reached yet.
    term_met: bool | None


async def notice_proof(session: AsyncSession, notice_id: int, *, now: datetime) -> NoticeProof:
    notice = await rows.get(session, Notice, notice_id, what="notice", key="notice_id")
    applicant = await session.get(Applicant, notice.applicant_id)
    application = await session.get(Application, notice.application_id)
    assert applicant is not None and application is not None
    events = list(
        await session.scalars(
            select(NoticeEvent)
            .where(NoticeEvent.notice_id == notice.id)
            .order_by(NoticeEvent.at, NoticeEvent.id)
        )
    )
    phone = application.phone or applicant.phone or None
    registered_on = None
    if phone is not None:
        registered_on = await session.scalar(
            select(McdbEntry.registered_on).where(
                McdbEntry.iin == applicant.iin, McdbEntry.phone == phone
            )
        )
    reached_at = next((e.at for e in events if e.status in REACHED), None)
    reached_at = reached_at or notice.delivered_at or notice.handed_over_at
    return NoticeProof(
        notice=notice,
        iin=applicant.iin,
        full_name=applicant.full_name,
        mcdb=McdbAnswer(phone, registered_on),
        events=events,
        reached_at=reached_at,
        term_met=term_met(notice.deliver_by, reached_at, now),
    )


def term_met(
    deliver_by: datetime | None, reached_at: datetime | None, now: datetime
) -> bool | None:
    if deliver_by is None:
        return None
    if reached_at is not None:
        return reached_at <= deliver_by
    return False if now > deliver_by else None


async def record_viewed(
    session: AsyncSession, proof: NoticeProof, *, staff_id: int, at: datetime
) -> None:
    """A proof names the person and their phone: kept in the lookup audit under their IIN, so
    "who looked this person up" finds it."""
    await lookups.record(
        session,
        staff_id=staff_id,
        at=at,
        kind=LookupKind.NOTICE_PROOF,
        iin=proof.iin,
        filters=f"notice_proof={proof.notice.id}",
        found=1,
    )
