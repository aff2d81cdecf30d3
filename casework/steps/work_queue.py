"""The staff console's work queue: the cases that need someone, most urgent first, a page at a time.

A case is in the queue while one of its legal terms runs (unmet, and still relevant in the case's
state: `law/terms.py` LIVE_IN); it is ranked by that next term's last day, so overdue comes first,
then due today, due within one working day, later. Everything is asked of the database as sets:
one query picks a page (keyset on the case's stored next term's day and the case number, the
order of their index, never OFFSET: the database walks the index and stops at the page's end),
one loads those cases' files for their next lawful steps (`steps/procedure.py`), one counts the
queue by urgency.
A search may also reach filed cases with no term running; they follow the queue, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.procedure import SERVES, Step
from casework.law.rules import Ground
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps.case_file import CASE_LOADS
from casework.steps.deadlines import DueKey, due_query, live_term, working_days_left
from casework.steps.procedure import NextActions, next_actions
from casework.steps.rows import ID_MAX
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application, Deadline

Urgency = Literal["overdue", "today", "soon", "later", "none"]
URGENCIES: tuple[Urgency, ...] = ("overdue", "today", "soon", "later", "none")
PAGE_SIZE = 50

# Steps that never are the case's next step while another is lawful: they change a term or a
# time, or end a grant, and are taken when a clerk decides to.
SIDE_STEPS = frozenset({Step.EXTEND, Step.RESCHEDULE_HEARING, Step.TERMINATE})


@dataclass(frozen=True)
class QueueFilter:
    """What a clerk narrowed the queue to. An IIN is a search only roles with `view_iin` may
    make: the caller checks and records it (casework.steps.lookups)."""

    statuses: tuple[Status, ...] = ()
    grounds: tuple[Ground, ...] = ()
    settlement: str | None = None
    terms: tuple[Term, ...] = ()
    application_id: int | None = None
    iin: str | None = None
    name_words: tuple[str, ...] = ()
    # Also the filed cases with no term running (a search reaches every case).
    everything: bool = False

    @property
    def searching(self) -> bool:
        return self.application_id is not None or bool(self.iin or self.name_words)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this due day and term row (`key`); with `due_on` None,
    in the part with no term running, before this case number (newest first)."""

    due_on: date | None
    key: int

    def encode(self) -> str:
        day = self.due_on.isoformat() if self.due_on else "-"
        return f"{day}.{self.key}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor of a link; anything else starts from the first page."""
        if not text:
            return None
        day, _, number = text.partition(".")
        try:
            key = int(number)
            due_on = None if day == "-" else date.fromisoformat(day)
        except ValueError:
            return None
        if not 0 < key <= ID_MAX:
            return None
        return cls(due_on, key)


@dataclass(frozen=True)
class NextStep:
    """The step a case waits for: lawful now, or from `lawful_from`; the others lawful now;
    the legal term the step meets, and that term's last day on this case."""

    step: Step | None
    lawful_from: date | None = None
    also: tuple[Step, ...] = ()
    serves: Term | None = None
    serves_due: date | None = None


@dataclass(frozen=True)
class QueueRow:
    application: Application  # with its case file loaded
    term: Term | None
    due_on: date | None
    urgency: Urgency
    working_days_left: int | None
    next: NextStep
    cursor: Cursor  # where the page after this row starts

    @property
    def applicant(self) -> Applicant:
        return self.application.applicant


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    after: Cursor | None  # the next page's cursor; None on the last page
    counts: dict[Urgency, int] = field(default_factory=dict)  # the whole queue, filtered


def urgency_of(env: CaseEnv, due_on: date | None) -> Urgency:
    if due_on is None:
        return "none"
    today = env.today()
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    if due_on <= env.calendar.next_working_day(today):
        return "soon"
    return "later"


def next_step(app: Application, actions: NextActions, term: Term | None) -> NextStep:
    """The step to show for a case: lawful now and meeting its next term first, then one that
    meets another open term, then the other lawful steps in the procedure's order (side steps
    last), else the first day one becomes lawful; with the term the step meets
    (`law/procedure.py` SERVES)."""
    open_terms = {d.term for d in app.deadlines if d.met_at is None}
    now = list(actions.now)
    serving = [s for s in now if term is not None and SERVES.get(s) == term]
    meeting = [s for s in now if s not in serving and SERVES.get(s) in open_terms]
    main = [s for s in now if s not in serving + meeting and s not in SIDE_STEPS]
    ordered = serving + meeting + main + [s for s in now if s in SIDE_STEPS]
    if ordered:
        chosen, day, also = ordered[0], None, tuple(ordered[1:])
    elif actions.later:
        chosen, day, _ = min(actions.later, key=lambda later: later[1])
        also = ()
    else:
        return NextStep(None)
    serves = SERVES.get(chosen)
    due = app.deadline(serves) if serves is not None else None
    return NextStep(chosen, day, also, serves if due is not None else None, due)


# ---------------------------------------------------------------- the query


def _variants(word: str) -> set[str]:
    # SQLite compares only ASCII letters without regard to case: the forms a name is written in.
    return {word, word.lower(), word.upper(), word.capitalize()}


def _case_filters(f: QueueFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Application.status != Status.DRAFT]
    if f.statuses:
        where.append(Application.status.in_(f.statuses))
    if f.grounds:
        where.append(Application.ground.in_(f.grounds))
    if f.settlement:
        where.append(Application.settlement == f.settlement)
    if f.application_id is not None:
        where.append(Application.id == f.application_id)
    people = []
    if f.iin:
        people.append(Applicant.iin == f.iin)
    names = (Applicant.last_name, Applicant.first_name, Applicant.middle_name)
    for word in f.name_words:
        forms = [n.contains(v, autoescape=True) for n in names for v in _variants(word)]
        people.append(or_(*forms))
    if people:
        # The people first, then their cases: a search is narrow, the queue wide.
        where.append(Application.applicant_id.in_(select(Applicant.id).where(*people)))
    return where


Found = tuple[int, Term | None, date | None, int]  # case, next term, its last day, cursor key


def queue_query(
    f: QueueFilter, after: Cursor | None = None
) -> Select[int, Term | None, date | None]:
    """The queue's part with a term running, from `after`: the deadline board's query
    (`steps/deadlines.py` due_query, keyset on the last day and case number) narrowed to `f`."""
    key = None if after is None or after.due_on is None else DueKey(after.due_on, after.key)
    return due_query(terms=f.terms, after=key).where(*_case_filters(f))


async def _queue_ids(
    session: AsyncSession, f: QueueFilter, after: Cursor | None, limit: int
) -> list[Found]:
    found = await session.execute(queue_query(f, after).limit(limit))
    return [(i, t, d, i) for i, t, d in found]


async def _idle_ids(
    session: AsyncSession, f: QueueFilter, after: Cursor | None, limit: int
) -> list[Found]:
    stmt = select(Application.id).where(Application.next_due_on.is_(None), *_case_filters(f))
    stmt = stmt.order_by(Application.id.desc()).limit(limit)
    if after is not None and after.due_on is None:
        stmt = stmt.where(Application.id < after.key)
    return [(i, None, None, i) for i in await session.scalars(stmt)]


async def counts(session: AsyncSession, env: CaseEnv, f: QueueFilter) -> dict[Urgency, int]:
    """How many cases of the (filtered) queue are overdue, due today, within one working day,
    later: one aggregate query."""
    today = env.today()
    soon = env.calendar.next_working_day(today)
    if f.terms:
        # A case's next term of those kinds ends on the earliest day of them: one row per case.
        per_case = (
            select(func.min(Deadline.due_on).label("due"))
            .select_from(Deadline)
            .join(Application, Deadline.application_id == Application.id)
            .where(live_term(Deadline, f.terms), *_case_filters(f))
            .group_by(Deadline.application_id)
            .subquery()
        )
        due = per_case.c.due
        buckets = (due < today, due == today, and_(due > today, due <= soon), due > soon)
        stmt = select(
            *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in buckets)
        ).select_from(per_case)
    else:
        # One range count per urgency on the stored next term's index (a draft never has a
        # term running: unfiltered, the index alone answers).
        day = Application.next_due_on
        ranges = (day < today, day == today, and_(day > today, day <= soon), day > soon)
        where = _case_filters(f)[1:]
        stmt = select(*(select(func.count()).where(r, *where).scalar_subquery() for r in ranges))
    found = (await session.execute(stmt)).one()
    return {name: int(n) for name, n in zip(URGENCIES[:4], found, strict=True)}


async def page(
    session: AsyncSession,
    env: CaseEnv,
    f: QueueFilter,
    *,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue from `after`, each case with its next lawful step."""
    found: list[Found] = []
    in_idle_part = after is not None and after.due_on is None
    if not in_idle_part:
        found = await _queue_ids(session, f, after, limit + 1)
    if len(found) <= limit and (f.everything or f.searching) and not f.terms:
        rest = limit + 1 - len(found)
        found += await _idle_ids(session, f, after if in_idle_part else None, rest)
    more = len(found) > limit
    found = found[:limit]
    files = await load_files(session, [i for i, _, _, _ in found])
    left = working_days_left(env, (d for _, _, d, _ in found if d is not None))
    rows = []
    for application_id, term, due_on, key in found:
        app = files[application_id]
        rows.append(
            QueueRow(
                application=app,
                term=term,
                due_on=due_on,
                urgency=urgency_of(env, due_on),
                working_days_left=None if due_on is None else left[due_on],
                next=next_step(app, next_actions(env, app), term),
                cursor=Cursor(due_on, key),
            )
        )
    after_this = rows[-1].cursor if rows and more else None
    # The queue's size by urgency heads its first page; later pages go without.
    return QueuePage(rows, after_this, await counts(session, env, f) if after is None else {})


async def load_files(session: AsyncSession, ids: Sequence[int]) -> dict[int, Application]:
    """The case files of a page at once: one query per relationship, whatever the page holds."""
    if not ids:
        return {}
    stmt = select(Application).where(Application.id.in_(ids)).options(*CASE_LOADS)
    return {app.id: app for app in await session.scalars(stmt)}


def settlements_query() -> Select[str | None]:
    """The settlements filed cases name, in order: a walk from one name to the next on
    `ix_applications_settlement` (one probe per settlement, a district has a few dozen), not a
    pass over every case."""
    filed = Application.status != Status.DRAFT

    def after(name: ColumnElement[str | None] | None) -> ColumnElement[str | None]:
        stmt = select(Application.settlement).where(filed, Application.settlement.is_not(None))
        if name is not None:
            stmt = stmt.where(Application.settlement > name)
        return stmt.order_by(Application.settlement).limit(1).scalar_subquery()

    names = select(after(None).label("name")).cte("names", recursive=True)
    names = names.union_all(select(after(names.c.name)).where(names.c.name.is_not(None)))
    return select(names.c.name).where(names.c.name.is_not(None))


async def settlements(session: AsyncSession) -> list[str]:
    """The settlements filed cases name, for the queue's filter."""
    return [s for s in await session.scalars(settlements_query()) if s]
