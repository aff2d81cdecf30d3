"""Looking filed cases up a page at a time, recording every lookup of a person, and reading those
records back for an audit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.status import Status
from casework.steps.deadlines import CaseLine, case_lines
from casework.system.db import Bound, given
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.lookups import LookupKind, StaffLookup
from casework.tables.staff import Staff


@cache
def _filed_shape(narrowed: frozenset[str]) -> Select[*tuple[Any, ...]]:
    stmt = (
        case_lines()
        .where(Application.status != Status.DRAFT)
        .order_by(Application.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if "iin" in narrowed:
        stmt = stmt.where(Applicant.iin == bindparam("iin"))
    if "statuses" in narrowed:
        stmt = stmt.where(Application.status.in_(bindparam("statuses", expanding=True)))
    if "before" in narrowed:
        stmt = stmt.where(Application.id < bindparam("before", type_=Integer))
    return stmt


def filed_lines(
    *,
    iin: str | None = None,
    statuses: Sequence[Status] = (),
    before: int | None = None,
    limit: int = 200,
) -> Bound:
    """Filed cases newest first as list lines, from the case numbered below `before`: the cases
    walked off `ix_applications_status_id` (or the person's cases), each joining its person."""
    values = given(iin=iin, statuses=list(statuses), before=before, limit=limit)
    return Bound(_filed_shape(frozenset(values)), values)


async def filed_page(session: AsyncSession, **narrowed: Any) -> list[CaseLine]:
    """One page of `filed_lines`: one query, whatever the page holds."""
    return [CaseLine(*row) for row in await session.execute(*filed_lines(**narrowed))]


def kind_of(*, iin: str | None, by_deadline: bool, filtered: bool) -> LookupKind:
    """What a lookup searched for; an IIN names one person, whatever else it was narrowed by."""
    if iin:
        return LookupKind.IIN
    if by_deadline:
        return LookupKind.DEADLINE
    return LookupKind.STATUS if filtered else LookupKind.ALL


async def record(
    session: AsyncSession,
    *,
    staff_id: int,
    at: datetime,
    kind: LookupKind,
    iin: str | None,
    filters: str,
    found: int,
    refused: bool = False,
) -> StaffLookup:
    row = StaffLookup(
        staff_id=staff_id,
        at=at,
        kind=kind,
        iin=iin,
        filters=filters[:1000],
        found=found,
        refused=refused,
    )
    session.add(row)
    await session.flush()
    return row


async def record_case_opened(
    session: AsyncSession,
    app: Application,
    *,
    staff_id: int,
    at: datetime,
    document: int | None = None,
) -> None:
    """A case opened by its number shows the person on it (their family, phone, documents) as
    surely as a search by their IIN: kept under their IIN, so "who looked this person up" finds
    it, and going through cases number by number leaves a row each."""
    await record(
        session,
        staff_id=staff_id,
        at=at,
        kind=LookupKind.CASE,
        iin=app.applicant.iin,
        filters=f"case={app.id}" + (f"&document={document}" if document else ""),
        found=1,
    )


@dataclass(frozen=True)
class Recorded:
    lookup: StaffLookup
    staff: Staff


async def recorded(
    session: AsyncSession,
    *,
    staff_id: int | None = None,
    kind: LookupKind | None = None,
    refused: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[Recorded]:
    """The lookups, newest first, with who made them."""
    stmt = (
        select(StaffLookup, Staff)
        .join(Staff, Staff.id == StaffLookup.staff_id)
        .order_by(StaffLookup.at.desc(), StaffLookup.id.desc())
        .limit(limit)
    )
    if staff_id is not None:
        stmt = stmt.where(StaffLookup.staff_id == staff_id)
    if kind is not None:
        stmt = stmt.where(StaffLookup.kind == kind)
    if refused is not None:
        stmt = stmt.where(StaffLookup.refused == refused)
    if since is not None:
        stmt = stmt.where(StaffLookup.at >= since)
    if until is not None:
        stmt = stmt.where(StaffLookup.at < until)
    return [Recorded(lookup, staff) for lookup, staff in await session.execute(stmt)]
