"""Holiday assistance without an application (DR §12, §28): recipient lists, grants, notices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from casework.law.errors import RuleError
from casework.law.roles import Action
from casework.steps import holidays
from casework.system.csvfile import RowError
from casework.tables.holidays import HolidayList
from casework.tables.staff import Staff
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.schemas import (
    HolidayCategoryOut,
    HolidayGrantOut,
    HolidayListOut,
    HolidayOut,
    RowErrorOut,
)

router = APIRouter(prefix="/holidays", tags=["holiday assistance"])

MAX_LIST_BYTES = 10 * 1024 * 1024


@router.get("")
async def district_holidays(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], env: EnvDep, year: int | None = None
) -> list[HolidayOut]:
    """The district file's holidays and, for the year, each category's amount in tenge."""
    year = year or env.today().year
    out = []
    for h in env.district.holidays:
        categories = []
        for c in h.categories:
            try:
                amount = env.district.holiday_amount(c, year)
            except ValueError:  # no АЕК for that year in the district file
                amount = None
            categories.append(
                HolidayCategoryOut(code=c.code, name_kk=c.name.kk, name_ru=c.name.ru, amount=amount)
            )
        out.append(
            HolidayOut(date=h.date, name_kk=h.name.kk, name_ru=h.name.ru, categories=categories)
        )
    return out


def _list_out(
    holiday_list: HolidayList, count: int, errors: Sequence[RowError] = ()
) -> HolidayListOut:
    return HolidayListOut(
        id=holiday_list.id,
        holiday=holiday_list.holiday,
        year=holiday_list.year,
        file_name=holiday_list.file_name,
        recipients=count,
        imported_by=holiday_list.imported_by,
        imported_at=holiday_list.imported_at,
        granted_at=holiday_list.granted_at,
        errors=[RowErrorOut(line=e.line, message=e.message) for e in errors],
    )


@router.post("/lists", status_code=status.HTTP_201_CREATED)
async def import_list(
    staff: Annotated[Staff, permit(Action.HOLIDAY_IMPORT)],
    session: SessionDep,
    env: EnvDep,
    holiday: Annotated[str, Form(pattern=r"^\d{2}-\d{2}$", description="MM-DD")],
    file: Annotated[UploadFile, File(description="CSV: IIN, name, category, phone")],
    year: Annotated[int | None, Form(ge=2000, le=2100)] = None,
) -> HolidayListOut:
    """Keeps the good rows; each bad row comes back with its line number and what is wrong."""
    data = await file.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        raise RuleError("the list is larger than 10 MB")
    holiday_list, errors = await holidays.import_list(
        session,
        env,
        holiday=holiday,
        year=year or env.today().year,
        file_name=file.filename or "list.csv",
        data=data,
        actor=staff.name,
    )
    return _list_out(holiday_list, len(holiday_list.recipients), errors)


@router.get("/lists/{list_id}")
async def get_list(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], list_id: int, session: SessionDep
) -> HolidayListOut:
    return _list_out(*await holidays.list_summary(session, list_id))


@router.post("/lists/{list_id}/grant")
async def grant_list(
    staff: Annotated[Staff, permit(Action.HOLIDAY_GRANT)],
    list_id: int,
    session: SessionDep,
    env: EnvDep,
) -> HolidayGrantOut:
    """One granted case per recipient, and their notices in the same transaction."""
    granted = await holidays.grant_list(session, env, list_id, actor=staff.name)
    return HolidayGrantOut(
        list_id=list_id,
        application_ids=granted.application_ids,
        skipped_lines=granted.skipped_lines,
        broadcast_ids=granted.broadcast_ids,
    )
