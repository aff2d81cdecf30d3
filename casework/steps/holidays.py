"""Holiday and memorable-day assistance, paid without an application (DR §12, §28; SR §6).

The recipient list is formed from the authorities' information systems and arrives as CSV
(IIN, name, category, phone). Import keeps the good rows and reports each bad one with its line
number; granting opens one granted case per recipient, with the district's amount for the
category and the holiday's year, and notifies each category as one broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, BinaryIO

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from casework.law.district import District, DistrictConfigError, Holiday
from casework.law.errors import DomainError, RuleError
from casework.law.identity import IIN, OptionalPhone
from casework.law.notices import NoticeKind
from casework.steps import granted_cases, rows
from casework.steps.broadcasts import create_broadcast
from casework.system.csvfile import RowError, read_rows
from casework.system.env import CaseEnv
from casework.tables.holidays import HolidayList, HolidayRecipient
from casework.tables.notices import Notice


def find_holiday(district: District, holiday: str) -> Holiday:
    found = district.holiday(holiday)
    if found is None:
        raise RuleError(
            f"the district file has no holiday on {holiday}",
            holiday=holiday,
            known=[h.date for h in district.holidays],
        )
    return found


# ---------------------------------------------------------------- import


def _one_spacing(value: str) -> str:
    return " ".join(value.split())


class Recipient(BaseModel):
    """One row of a recipient list; the category by code or by its Kazakh or Russian name."""

    iin: IIN
    full_name: Annotated[str, BeforeValidator(_one_spacing), Field(title="name")]
    category: str
    phone: OptionalPhone = None

    @field_validator("full_name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("name is empty")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str, info: ValidationInfo) -> str:
        holiday: Holiday = (info.context or {})["holiday"]
        category = holiday.category(value)
        if category is None:
            codes = ", ".join(c.code for c in holiday.categories)
            raise ValueError(f"category {value!r} is not one of {codes}")
        return category.code


COLUMNS = ("iin", "full_name", "category", "phone")
ALIASES = {
    "iin": ("iin", "иин", "жсн", "ijn"),
    "full_name": ("name", "full_name", "фио", "аты-жөні", "толық аты-жөні"),
    "category": ("category", "категория", "санат", "санаты"),
    "phone": ("phone", "телефон", "тел"),
}


@dataclass(frozen=True)
class Listed:
    """A good row of a list, with the line it was read from."""

    line: int
    iin: str
    full_name: str
    category: str
    phone: str | None


@dataclass(frozen=True)
class Parsed:
    rows: list[Listed]
    errors: list[RowError]


def parse_recipients(source: bytes | BinaryIO, holiday: Holiday) -> Parsed:
    """Check every row; a bad row is reported with its line number and never stops the others."""
    rows: list[Listed] = []
    errors: list[RowError] = []
    for item in read_rows(
        source,
        Recipient,
        columns=COLUMNS,
        aliases=ALIASES,
        optional=("phone",),
        key=lambda r: f"{r.iin} {r.category}",
        context={"holiday": holiday},
        multiline=False,
    ):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(Listed(item.line, **item.value.model_dump()))
    return Parsed(rows, errors)


async def import_list(
    session: AsyncSession,
    env: CaseEnv,
    *,
    holiday: str,
    year: int,
    file_name: str,
    data: bytes | BinaryIO,
    actor: str,
) -> tuple[HolidayList, list[RowError]]:
    """Keep the good rows of a recipient list; return it with the bad rows' errors."""
    parsed = parse_recipients(data, find_holiday(env.district, holiday))
    if not parsed.rows:
        raise RuleError(
            "the list has no valid rows",
            errors=[{"line": e.line, "message": e.message} for e in parsed.errors],
        )
    holiday_list = HolidayList(
        holiday=holiday,
        year=year,
        file_name=file_name,
        imported_by=actor,
        imported_at=env.now(),
        recipients=[
            HolidayRecipient(
                line=r.line, iin=r.iin, full_name=r.full_name, category=r.category, phone=r.phone
            )
            for r in parsed.rows
        ],
    )
    session.add(holiday_list)
    await session.flush()
    return holiday_list, parsed.errors


# ---------------------------------------------------------------- granting


@dataclass(frozen=True)
class Granted:
    application_ids: list[int]
    # Recipients already granted this holiday's assistance in this category by another list.
    skipped_lines: list[int]
    # One broadcast per category: the notice names the category's own amount.
    broadcast_ids: list[int]


def _split_name(full_name: str) -> dict[str, str | None]:
    parts = full_name.split()
    return {
        "last_name": parts[0] if parts else "",
        "first_name": parts[1] if len(parts) > 1 else "",
        "middle_name": " ".join(parts[2:]) or None,
    }


_LIST = {"what": "holiday list", "key": "list_id"}


async def load_list(session: AsyncSession, list_id: int) -> HolidayList:
    """The list with its recipients, locked: two grants of one list must not both run."""
    rows.check_id(list_id, **_LIST)
    stmt = (
        select(HolidayList)
        .where(HolidayList.id == list_id)
        .options(selectinload(HolidayList.recipients))
        .with_for_update(of=HolidayList)
    )
    holiday_list = (await session.scalars(stmt)).one_or_none()
    if holiday_list is None:
        raise rows.not_found(list_id, **_LIST)
    return holiday_list


async def list_summary(session: AsyncSession, list_id: int) -> tuple[HolidayList, int]:
    """A list and how many recipients it kept, without loading them."""
    holiday_list = await rows.get(session, HolidayList, list_id, what="holiday list", key="list_id")
    count = await session.scalar(select(func.count()).where(HolidayRecipient.list_id == list_id))
    return holiday_list, count or 0


async def recent_lists(session: AsyncSession, limit: int = 50) -> list[tuple[HolidayList, int]]:
    """The latest imported lists, newest first, each with how many recipients it kept."""
    count = (
        select(func.count())
        .where(HolidayRecipient.list_id == HolidayList.id)
        .correlate(HolidayList)
        .scalar_subquery()
    )
    stmt = select(HolidayList, count).order_by(HolidayList.id.desc()).limit(limit)
    return [(holiday_list, n) for holiday_list, n in await session.execute(stmt)]


@dataclass(frozen=True)
class Overview:
    """A list at a glance: recipients per category and, once granted, the lines skipped (granted
    by another list already) and the broadcasts that carry its notices."""

    holiday_list: HolidayList
    recipients: int
    categories: dict[str, int]  # category code → recipients, in the district file's order
    skipped_lines: list[int]
    broadcasts: dict[int, str]  # broadcast id → the category its notices name


async def list_overview(session: AsyncSession, list_id: int) -> Overview:
    holiday_list, count = await list_summary(session, list_id)
    by_category = await session.execute(
        select(HolidayRecipient.category, func.count())
        .where(HolidayRecipient.list_id == list_id)
        .group_by(HolidayRecipient.category)
    )
    skipped: list[int] = []
    broadcasts: dict[int, str] = {}
    if holiday_list.granted_at is not None:
        skipped = list(
            await session.scalars(
                select(HolidayRecipient.line)
                .where(
                    HolidayRecipient.list_id == list_id, HolidayRecipient.application_id.is_(None)
                )
                .order_by(HolidayRecipient.line)
            )
        )
        found = await session.execute(
            select(Notice.broadcast_id, HolidayRecipient.category)
            .join(HolidayRecipient, HolidayRecipient.application_id == Notice.application_id)
            .where(HolidayRecipient.list_id == list_id, Notice.broadcast_id.is_not(None))
            .distinct()
            .order_by(Notice.broadcast_id)
        )
        broadcasts = {b: category for b, category in found if b is not None}
    return Overview(
        holiday_list,
        count,
        {category: n for category, n in by_category},
        skipped,
        broadcasts,
    )


async def _already_granted(
    session: AsyncSession, holiday_list: HolidayList
) -> set[tuple[str, str]]:
    stmt = (
        select(HolidayRecipient.iin, HolidayRecipient.category)
        .join(HolidayList)
        .where(
            HolidayList.holiday == holiday_list.holiday,
            HolidayList.year == holiday_list.year,
            HolidayRecipient.application_id.is_not(None),
        )
    )
    return {(iin, category) for iin, category in await session.execute(stmt)}


async def grant_list(session: AsyncSession, env: CaseEnv, list_id: int, *, actor: str) -> Granted:
    """One granted case per recipient: a one-off payment of the category's amount on the day,
    and the notices, all in the caller's transaction."""
    holiday_list = await load_list(session, list_id)
    if holiday_list.granted_at is not None:
        raise DomainError(f"holiday list {list_id} was granted already", list_id=list_id)
    holiday = find_holiday(env.district, holiday_list.holiday)
    try:  # every amount first: a year missing from the district file stops before any grant
        amounts = {
            c.code: env.district.holiday_amount(c, holiday_list.year) for c in holiday.categories
        }
    except DistrictConfigError as exc:
        raise RuleError(str(exc), year=holiday_list.year) from exc
    day = holiday.on(holiday_list.year)
    done = await _already_granted(session, holiday_list)
    now = env.now()
    skipped: list[int] = []
    todo: list[HolidayRecipient] = []
    for r in holiday_list.recipients:
        if (r.iin, r.category) in done:
            skipped.append(r.line)
            continue
        done.add((r.iin, r.category))
        todo.append(r)
    applicants = await granted_cases.applicant_ids(
        session, env, [granted_cases.Person(r.iin, _split_name(r.full_name), r.phone) for r in todo]
    )
    # No application is filed (DR §12): the provider opens the case at its decision.
    opened = await granted_cases.open_granted(
        session,
        env,
        [granted_cases.Grant(r.iin, r.category, amounts[r.category], r.phone) for r in todo],
        applicants,
        draft={"holiday": holiday_list.holiday, "year": holiday_list.year},
        pays_on=day,
        actor=actor,
        reason=f"{holiday_list.holiday}/{holiday_list.year}",
    )
    granted: dict[str, list[int]] = {}  # category → cases, in list order
    for r in todo:
        r.application_id = opened[r.iin, r.category]
        granted.setdefault(r.category, []).append(r.application_id)
    ids = [opened[r.iin, r.category] for r in todo]
    holiday_list.granted_at = now
    holiday_list.granted_by = actor
    broadcasts = await _notify(session, env, holiday_list, granted, actor=actor)
    return Granted(application_ids=ids, skipped_lines=skipped, broadcast_ids=broadcasts)


async def _notify(
    session: AsyncSession,
    env: CaseEnv,
    holiday_list: HolidayList,
    granted: dict[str, list[int]],
    *,
    actor: str,
) -> list[int]:
    """One broadcast per category: the notice names the category's own amount."""
    ids = []
    for category, app_ids in granted.items():
        payload: dict[str, Any] = {
            "holiday": holiday_list.holiday,
            "year": holiday_list.year,
            "category": category,
        }
        broadcast = await create_broadcast(
            session,
            env,
            kind=NoticeKind.HOLIDAY_ASSISTANCE,
            application_ids=app_ids,
            created_by=actor,
            payload=payload,
        )
        ids.append(broadcast.id)
    return ids
