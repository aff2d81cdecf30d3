"""The lookup audit for administrators: who searched for whom, when, and what they were shown.

There is no filter by IIN: searching the audit by a full IIN would be the very oracle the lookup
refuses to roles that see IINs masked. IINs are shown as the reader's role may see them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from casework.law.errors import RuleError
from casework.law.roles import Action, Role
from casework.steps import lookups
from casework.steps.rows import ID_MAX
from casework.tables.lookups import LookupKind
from casework.tables.staff import Staff
from gateway.staff.deps import SessionDep, permit
from gateway.staff.views import shown_iin

router = APIRouter(tags=["staff"])


class LookupOut(BaseModel):
    id: int
    at: datetime
    staff_id: int
    staff_name: str
    staff_role: Role
    kind: LookupKind
    iin: str | None
    filters: str
    found: int
    refused: bool


def _utc(moment: datetime | None, name: str) -> datetime | None:
    try:
        return None if moment is None else moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last day a datetime can hold
        raise RuleError(f"{name} is out of range", field=name) from None


# Overseeing what staff did is part of managing staff: the same right, the administrator's.
@router.get("/lookups")
async def lookup_audit(
    staff: Annotated[Staff, permit(Action.MANAGE_STAFF)],
    session: SessionDep,
    staff_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    kind: LookupKind | None = None,
    refused: bool | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[LookupOut]:
    """Lookups of cases, newest first: by whom, when, the kind and filters, the IIN searched,
    how many cases were shown, and whether the lookup was refused."""
    found = await lookups.recorded(
        session,
        staff_id=staff_id,
        kind=kind,
        refused=refused,
        since=_utc(since, "since"),
        until=_utc(until, "until"),
        limit=limit,
    )
    return [
        LookupOut(
            id=r.lookup.id,
            at=r.lookup.at,
            staff_id=r.staff.id,
            staff_name=r.staff.name,
            staff_role=r.staff.role,
            kind=r.lookup.kind,
            iin=None if r.lookup.iin is None else shown_iin(staff, r.lookup.iin),
            filters=r.lookup.filters,
            found=r.lookup.found,
            refused=r.lookup.refused,
        )
        for r in found
    ]
