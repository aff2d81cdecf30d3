"""Opening thousands of granted cases at once (a holiday list): set-based, a few statements per
table rather than a unit of work per case.

Every case of one grant has the same shape (granted on the same moment by the same person, a
one-off payment on the same day, no application filed: DR §12), so its terms are computed once,
on a model case that is never stored, and written for each. Rows are matched back to their
recipients by what identifies them (an IIN; an applicant and a category), never by the order
a database returns them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.rules import Channel, Periodicity
from casework.law.status import Status
from casework.steps.deadlines import keep_next_term, set_terms
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application, Deadline
from casework.tables.audit import AuditEvent
from casework.tables.base import Base, table
from casework.tables.decisions import Assistance, Decision

BATCH = 1000  # rows per statement: bounded IN lists and parameter counts


@dataclass(frozen=True)
class Person:
    """A recipient as the list gives them: the names and phone count as given (they come from
    the authorities' systems)."""

    iin: str
    names: dict[str, str | None]
    phone: str | None


@dataclass(frozen=True)
class Grant:
    """One case to open: whose, in which category, for how much."""

    iin: str
    category: str
    amount: Decimal
    phone: str | None


def _chunks(rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]


async def applicant_ids(
    session: AsyncSession, env: CaseEnv, people: Sequence[Person]
) -> dict[str, int]:
    """Each person's applicant id by IIN: the known ones updated, the others created."""
    now = env.now()
    latest = {p.iin: p for p in people}  # a person listed twice: the last line's details
    known: dict[str, int] = {}
    for chunk in _chunks(sorted(latest)):
        stmt = select(Applicant.iin, Applicant.id).where(Applicant.iin.in_(chunk))
        known.update((iin, id_) for iin, id_ in await session.execute(stmt))

    def fields(p: Person) -> dict[str, Any]:
        given: dict[str, Any] = {k: v for k, v in p.names.items() if v is not None}
        if given.get("last_name") or given.get("first_name"):
            given["name_given_at"] = now
        if p.phone:
            given["phone"] = p.phone
        return given

    updates = [{"id": known[iin], **fields(p)} for iin, p in latest.items() if iin in known]
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:  # one executemany per set of columns (a list may lack some phones)
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for rows in by_keys.values():
        await session.execute(update(Applicant), rows)  # ORM bulk UPDATE by primary key
    new = [
        {"iin": iin, "created_at": now, "middle_name": None, "phone": None, **fields(p)}
        for iin, p in latest.items()
        if iin not in known
    ]
    for chunk in _chunks(new):
        created = insert(table(Applicant)).returning(Applicant.iin, Applicant.id)
        known.update((iin, id_) for iin, id_ in await session.execute(created, list(chunk)))
    return known


def _model_terms(
    env: CaseEnv, now: datetime, actor: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The terms of a case granted now without an application, and its stored next term."""
    model = Application(
        status=Status.GRANTED,
        channel=Channel.PROVIDER_OFFICE,
        extended=False,
        created_at=now,
        updated_at=now,
        family=[],
        documents=[],
        deadlines=[],
        hearings=[],
        decisions=[Decision(granted=True, decided_by=actor, decided_at=now, refusal_grounds=[])],
    )
    set_terms(env, model)
    keep_next_term(model)
    terms = [{"term": d.term, "due_on": d.due_on, "met_at": d.met_at} for d in model.deadlines]
    return terms, {"next_term": model.next_term, "next_due_on": model.next_due_on}


async def open_granted(
    session: AsyncSession,
    env: CaseEnv,
    grants: Sequence[Grant],
    applicants: dict[str, int],
    *,
    draft: dict[str, Any],
    pays_on: date,
    actor: str,
    reason: str,
) -> dict[tuple[str, str], int]:
    """Open one granted case per grant; returns the case id by (IIN, category)."""
    now = env.now()
    terms, next_term = _model_terms(env, now, actor)
    cases: dict[tuple[int, str], int] = {}
    for chunk in _chunks(grants):
        stmt = insert(table(Application)).returning(
            Application.id, Application.applicant_id, Application.draft
        )
        rows = [
            {
                "applicant_id": applicants[g.iin],
                "status": Status.GRANTED,
                "channel": Channel.PROVIDER_OFFICE,
                "phone": g.phone,
                "extended": False,
                "draft": {**draft, "category": g.category},
                "created_at": now,
                "updated_at": now,
                **next_term,
            }
            for g in chunk
        ]
        for id_, applicant_id, case_draft in await session.execute(stmt, rows):
            cases[applicant_id, case_draft["category"]] = id_
    by_grant = {(g.iin, g.category): cases[applicants[g.iin], g.category] for g in grants}
    decisions: dict[int, int] = {}
    for chunk in _chunks(grants):
        stmt = insert(table(Decision)).returning(Decision.application_id, Decision.id)
        rows = [
            {
                "application_id": by_grant[g.iin, g.category],
                "granted": True,
                "refusal_grounds": [],
                "decided_by": actor,
                "decided_at": now,
            }
            for g in chunk
        ]
        decisions.update((app_id, id_) for app_id, id_ in await session.execute(stmt, rows))
    await _insert_all(
        session,
        Assistance,
        [
            {
                "decision_id": decisions[by_grant[g.iin, g.category]],
                "kind": g.category,
                "amount": g.amount,
                "periodicity": Periodicity.ONE_OFF,
                "starts_on": pays_on,
                "stops_on": None,
            }
            for g in grants
        ],
    )
    ids = list(by_grant.values())
    await _insert_all(
        session,
        Deadline,
        [{"application_id": app_id, **term} for app_id in ids for term in terms],
    )
    # The case comes into being granted: no state it came from (steps/audit.py `opened`).
    await _insert_all(
        session,
        AuditEvent,
        [
            {
                "application_id": by_grant[g.iin, g.category],
                "actor": actor,
                "action": "holiday_granted",
                "from_status": None,
                "to_status": Status.GRANTED,
                "reason": f"{reason} {g.category}",
                "at": now,
            }
            for g in grants
        ],
    )
    return by_grant


async def _insert_all(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        await session.execute(insert(table(model)), list(chunk))
