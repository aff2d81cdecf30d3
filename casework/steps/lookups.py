"""Recording every lookup of a person, and reading those records back for an audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.tables.lookups import LookupKind, StaffLookup
from casework.tables.staff import Staff


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
