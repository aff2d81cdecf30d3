"""Notices at risk of their legal term: not yet delivered, and the term near or past.

A notice still in the outbox (queued, being sent, sent without a receipt) or printed and waiting
for the applicant is at risk once its `deliver_by` (law/deliver_by.py) falls before the horizon:
staff phone the applicant, print it, or find out why the channel fails. Delivered, handed over
and withdrawn notices never are. Read through `ix_notices_status_deliver_by`, a bounded page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from casework.law.deliver_by import LEGAL_TERM_KINDS, at_risk_horizon
from casework.law.notices import NoticeStatus
from casework.system.env import CaseEnv
from casework.tables.notices import Notice

# Still on its way electronically; a paper notice is on its way until handed over.
IN_FLIGHT = (NoticeStatus.QUEUED, NoticeStatus.SENDING, NoticeStatus.SENT)


@dataclass(frozen=True)
class AtRisk:
    notice: Notice
    overdue: bool  # the term has already passed


def _at_risk(env: CaseEnv, now: datetime) -> ColumnElement[bool]:
    cal = env.calendar
    return and_(
        or_(
            and_(
                Notice.status.in_(IN_FLIGHT),
                Notice.deliver_by <= at_risk_horizon(cal, now, on_paper=False),
            ),
            and_(
                Notice.status == NoticeStatus.TO_PRINT,
                Notice.deliver_by <= at_risk_horizon(cal, now, on_paper=True),
            ),
        ),
        # A code's expiry is its own affair: staff act on the law's terms only.
        Notice.kind.in_(LEGAL_TERM_KINDS),
    )


async def notices_at_risk(session: AsyncSession, env: CaseEnv, *, limit: int = 200) -> list[AtRisk]:
    """The notices at risk, the earliest term first."""
    now = env.now()
    rows = await session.scalars(
        select(Notice).where(_at_risk(env, now)).order_by(Notice.deliver_by, Notice.id).limit(limit)
    )
    return [AtRisk(n, overdue=n.deliver_by is not None and n.deliver_by < now) for n in rows]


async def count_at_risk(session: AsyncSession, env: CaseEnv) -> int:
    """How many there are (the console's banner)."""
    stmt = select(func.count()).select_from(Notice).where(_at_risk(env, env.now()))
    return int(await session.scalar(stmt) or 0)
