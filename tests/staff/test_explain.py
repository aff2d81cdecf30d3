"""The staff lists' queries, as the code builds them, read PostgreSQL's plan off their indexes: no
sort of the whole table, on a district big enough that a sequential scan loses (issue 15)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from casework.law.rules import Channel, Ground
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import deadlines, lookups, work_queue
from casework.steps.deadlines import DueKey
from casework.steps.work_queue import QueueFilter
from casework.system.db import Bound
from casework.tables.applicants import Applicant
from casework.tables.applications import Application, Deadline
from tests.conftest import PG_URL

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="KOMEK_TEST_DATABASE_URL is not set"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CASES = 20_000
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 5, tzinfo=UTC)
# Most cases long decided, a few in each running state.
STATES = [Status.NOTIFIED_GRANTED] * 14 + [
    Status.REGISTERED,
    Status.AT_SPECIAL_COMMISSION,
    Status.AT_PRECINCT_COMMISSION,
    Status.SUBMITTED,
    Status.GRANTED,
    Status.TERMINATED,
]


def _rows(n: int) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    # One case in a hundred waits on its preliminary refusal: a rare state.
    state = Status.PRELIMINARY_REFUSAL if n % 100 == 7 else STATES[n % len(STATES)]
    running = state not in (Status.NOTIFIED_GRANTED, Status.TERMINATED)
    due = TODAY + timedelta(days=n % 23 - 8)
    person = {"id": n, "iin": f"{n:012d}", "last_name": "Омарова", "created_at": NOW}
    case = {
        "id": n,
        "applicant_id": n,
        "status": state,
        "channel": Channel.BOT if n % 2 else Channel.PROVIDER_OFFICE,
        "ground": Ground.DISEASE,
        "settlement": f"Ауыл {n % 30}",
        "extended": False,
        "draft": {},
        "created_at": NOW,
        "updated_at": NOW,
        "next_term": Term.DECISION if running else None,
        "next_due_on": due if running else None,
    }
    met = None if running else NOW
    terms = [
        {"application_id": n, "term": Term.REGISTRATION, "due_on": due, "met_at": NOW},
        {"application_id": n, "term": Term.DECISION, "due_on": due, "met_at": met},
    ]
    return person, case, terms


@pytest.fixture
async def district(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """CASES cases written set-based, then ANALYZEd so the planner knows their spread."""
    async with engine.begin() as conn:
        for start in range(1, CASES + 1, 5_000):
            made = [_rows(n) for n in range(start, start + 5_000)]
            await conn.execute(insert(Applicant), [p for p, _, _ in made])
            await conn.execute(insert(Application), [c for _, c, _ in made])
            await conn.execute(insert(Deadline), [t for _, _, terms in made for t in terms])
        await conn.execute(text("ANALYZE"))
    yield engine


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


async def _plan(engine: AsyncEngine, stmt: Any) -> list[dict[str, Any]]:
    if isinstance(stmt, Bound):  # a shape built once, with this call's values
        stmt = stmt.stmt.params(stmt.params)
    sql = stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    async with engine.connect() as conn:
        found = await conn.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    doc = json.loads(found) if isinstance(found, str) else found
    return list(_nodes(doc[0]["Plan"]))


def _indexes(nodes: list[dict[str, Any]]) -> set[str]:
    return {n["Index Name"] for n in nodes if "Index Name" in n}


async def _assert_walks(
    engine: AsyncEngine, stmt: Any, index: str, *, sorts_at_most: int = 0
) -> None:
    """The plan reads `index`, scans no table whole, and sorts no more than `sorts_at_most`
    rows (none: the index gives the page's order)."""
    nodes = await _plan(engine, stmt)
    kinds = [n["Node Type"] for n in nodes]
    assert index in _indexes(nodes), kinds
    assert "Seq Scan" not in kinds, kinds
    sorted_rows = [n["Plan Rows"] for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")]
    assert all(rows <= sorts_at_most for rows in sorted_rows), (kinds, sorted_rows)


async def test_the_board_and_the_queue_walk_the_next_term_index(district: AsyncEngine) -> None:
    board = deadlines.due_lines(limit=200)
    await _assert_walks(district, board, "ix_applications_next_due")
    later = deadlines.due_lines(after=DueKey(TODAY, 5_000), limit=200)
    await _assert_walks(district, later, "ix_applications_next_due")
    queue = work_queue.queue_query(QueueFilter()).limit(51)
    await _assert_walks(district, queue, "ix_applications_next_due")


async def test_a_board_narrowed_to_a_term_walks_the_open_terms_index(
    district: AsyncEngine,
) -> None:
    # The open terms of that kind, never the whole table; the planner may sort those few.
    stmt = deadlines.due_lines(terms=[Term.DECISION], limit=200)
    await _assert_walks(district, stmt, "ix_deadlines_open_term_due", sorts_at_most=CASES // 10)


async def test_the_status_list_walks_the_states_index(district: AsyncEngine) -> None:
    rare = [Status.PRELIMINARY_REFUSAL]
    first = lookups.filed_lines(statuses=rare, limit=50)
    await _assert_walks(district, first, "ix_applications_status_id")
    later = lookups.filed_lines(statuses=rare, before=15_000, limit=50)
    await _assert_walks(district, later, "ix_applications_status_id")
    # A common state may as well walk the cases newest first: in order, no sort either way.
    common = lookups.filed_lines(statuses=[Status.NOTIFIED_GRANTED])
    nodes = await _plan(district, common)
    assert _indexes(nodes) & {"ix_applications_status_id", "pk_applications"}
    assert not {"Sort", "Seq Scan"} & {n["Node Type"] for n in nodes}


async def test_a_lookup_by_iin_reads_the_person_and_their_cases(district: AsyncEngine) -> None:
    nodes = await _plan(district, lookups.filed_lines(iin=f"{4242:012d}"))
    assert {"uq_applicants_iin", "ix_applications_applicant_id"} <= _indexes(nodes)
    assert "Seq Scan" not in [n["Node Type"] for n in nodes]


async def test_the_settlements_filter_probes_the_settlement_index(district: AsyncEngine) -> None:
    nodes = await _plan(district, work_queue.settlements_query())
    assert "ix_applications_settlement" in _indexes(nodes)
    assert "Seq Scan" not in [n["Node Type"] for n in nodes]
