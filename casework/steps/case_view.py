"""A case as the staff console shows it: each legal term's state, and one timeline of what
happened (the audit trail and every notice). Reads only; nothing here changes a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.terms import LIVE_IN, ONLY_FOR_CHANNEL, TERM_RULES, Term, TermRule
from casework.steps import rows
from casework.steps.audit import trail
from casework.system.env import CaseEnv
from casework.tables.applications import Application, Document
from casework.tables.audit import AuditEvent
from casework.tables.notices import Notice

RULES: dict[Term, TermRule] = {rule.term: rule for rule in TERM_RULES}
# What an uploaded document may be (casework/system/files.py checks each whole): shown in the page.
VIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png"})

TermStateName = Literal["met", "running", "today", "overdue", "moot", "not_for_channel"]


@dataclass(frozen=True)
class TermState:
    term: Term
    rule: TermRule
    due_on: date
    met_at: datetime | None
    state: TermStateName
    working_days_left: int | None  # running or overdue (negative)


def term_states(env: CaseEnv, app: Application) -> list[TermState]:
    """Every term kept on the case in the law's order: met, running (or its last day today),
    overdue, no longer running because the case moved on, or not one this case's channel has."""
    today = env.today()
    order = {rule.term: i for i, rule in enumerate(TERM_RULES)}
    out = []
    for row in sorted(app.deadlines, key=lambda d: (order.get(d.term, len(order)), d.due_on)):
        left: int | None = None
        state: TermStateName
        if row.met_at is not None:
            state = "met"
        elif row.term in ONLY_FOR_CHANNEL and app.channel != ONLY_FOR_CHANNEL[row.term]:
            state = "not_for_channel"
        elif app.status not in LIVE_IN.get(row.term, frozenset()):
            state = "moot"
        else:
            left = env.calendar.working_days_between(today, row.due_on)
            state = (
                "overdue" if row.due_on < today else "today" if row.due_on == today else "running"
            )
        out.append(TermState(row.term, RULES[row.term], row.due_on, row.met_at, state, left))
    return out


async def notices_of(session: AsyncSession, application_id: int) -> list[Notice]:
    """Every notice of the case, queued or delivered, oldest first."""
    found = await session.scalars(
        select(Notice)
        .where(Notice.application_id == application_id)
        .order_by(Notice.created_at, Notice.id)
    )
    return list(found)


@dataclass(frozen=True)
class Entry:
    """One line of the case's timeline: an audit event or a notice."""

    at: datetime
    event: AuditEvent | None = None
    notice: Notice | None = None


async def timeline(session: AsyncSession, application_id: int) -> list[Entry]:
    """What happened to the case, oldest first: who did what, and every notice with its
    channel, why that channel, and how far it got. Two queries, whatever the case holds."""
    entries = [Entry(e.at, event=e) for e in await trail(session, application_id)]
    entries += [Entry(n.created_at, notice=n) for n in await notices_of(session, application_id)]
    # A step and the notice it causes share a moment: the step first.
    return sorted(entries, key=lambda e: (e.at, e.notice is not None))


def document_of(app: Application, document_id: int) -> Document:
    """A document filed with this case (never another case's, whatever number is asked)."""
    found = next((d for d in app.documents if d.id == document_id), None)
    if found is None:
        raise rows.not_found(document_id, what="document", key="document_id")
    return found
