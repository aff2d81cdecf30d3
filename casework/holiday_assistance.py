"""Holiday and memorable-day assistance, paid without an application (DR §12, §28; SR §6).

The recipient list is formed from the authorities' information systems and arrives as CSV
(IIN, name, category, phone). Import keeps the good rows and reports each bad one with its line
number; granting then opens one granted case per recipient, with the district's amount for the
category and the holiday's year.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework import cases
from casework.cases import CaseEnv, RuleError
from casework.db import Base, UTCDateTime
from casework.district import District, DistrictConfigError, Holiday, HolidayCategory
from casework.identity import InvalidIIN, InvalidPhone, normalize_phone, validate_iin
from casework.lifecycle import DomainError, Status
from casework.models import Application, Assistance, AuditEvent, Decision
from casework.rules import Channel, Periodicity


class HolidayList(Base):
    """One imported recipient list for one holiday of one year."""

    __tablename__ = "holiday_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    holiday: Mapped[str] = mapped_column(String(5))  # MM-DD, as in the district file
    year: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipients: Mapped[list[HolidayRecipient]] = relationship(
        back_populates="holiday_list", order_by="HolidayRecipient.line"
    )


class HolidayRecipient(Base):
    __tablename__ = "holiday_recipients"
    __table_args__ = (UniqueConstraint("list_id", "iin", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("holiday_lists.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    iin: Mapped[str] = mapped_column(String(12), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(16))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))

    holiday_list: Mapped[HolidayList] = relationship(back_populates="recipients")


# ---------------------------------------------------------------- the district's holidays


def find_holiday(district: District, holiday: str) -> Holiday:
    for h in district.holidays:
        if h.date == holiday:
            return h
    raise RuleError(
        f"the district file has no holiday on {holiday}",
        holiday=holiday,
        known=[h.date for h in district.holidays],
    )


def find_category(holiday: Holiday, value: str) -> HolidayCategory | None:
    """By code, or by its Kazakh or Russian name as information-system exports write it."""
    wanted = " ".join(value.split()).casefold()
    for category in holiday.categories:
        names = (category.code, category.name.kk, category.name.ru)
        if wanted in (n.casefold() for n in names):
            return category
    return None


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class Row:
    line: int
    iin: str
    full_name: str
    category: str
    phone: str | None


@dataclass(frozen=True)
class Parsed:
    rows: list[Row]
    errors: list[RowError]


_HEADER_WORDS = {"iin", "иин", "жсн", "ijn"}


def _decode(data: bytes) -> str:
    # Exports come as UTF-8 (often with a BOM) or, from older Windows tools, as CP1251.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def parse_recipients(data: bytes, holiday: Holiday) -> Parsed:
    """Check every row; a bad row is reported with its line number and never stops the others."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if line == 1 and cells[0].casefold() in _HEADER_WORDS:
            continue
        if len(cells) < 3 or len(cells) > 4:
            got = len(cells)
            errors.append(RowError(line, f"expected IIN, name, category, phone; got {got} columns"))
            continue
        raw_iin, name, raw_category = cells[:3]
        raw_phone = cells[3] if len(cells) == 4 else ""
        problems: list[str] = []
        iin = ""
        try:
            iin = validate_iin(raw_iin)
        except InvalidIIN as exc:
            problems.append(f"IIN: {exc}")
        if not name:
            problems.append("name is empty")
        category = find_category(holiday, raw_category)
        if category is None:
            problems.append(
                f"category {raw_category!r} is not one of "
                f"{', '.join(c.code for c in holiday.categories)}"
            )
        phone: str | None = None
        if raw_phone:
            try:
                phone = normalize_phone(raw_phone)
            except InvalidPhone as exc:
                problems.append(f"phone: {exc}")
        if not problems and category is not None:
            key = (iin, category.code)
            if key in seen:
                problems.append(f"duplicate of line {seen[key]}")
            else:
                seen[key] = line
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
            continue
        assert category is not None
        rows.append(Row(line, iin, " ".join(name.split()), category.code, phone))
    return Parsed(rows=rows, errors=errors)


async def import_list(
    session: AsyncSession,
    env: CaseEnv,
    *,
    holiday: str,
    year: int,
    file_name: str,
    data: bytes,
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


def _split_name(full_name: str) -> dict[str, str | None]:
    parts = full_name.split()
    return {
        "last_name": parts[0] if parts else "",
        "first_name": parts[1] if len(parts) > 1 else "",
        "middle_name": " ".join(parts[2:]) or None,
    }


async def load_list(session: AsyncSession, list_id: int) -> HolidayList:
    from sqlalchemy.orm import selectinload

    stmt = (
        select(HolidayList)
        .where(HolidayList.id == list_id)
        .options(selectinload(HolidayList.recipients))
        .with_for_update(of=HolidayList)
    )
    holiday_list = (await session.scalars(stmt)).one_or_none()
    if holiday_list is None:
        raise DomainError(f"holiday list {list_id} not found", list_id=list_id)
    return holiday_list


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


async def grant_list(
    session: AsyncSession, env: CaseEnv, holiday_list: HolidayList, *, actor: str
) -> Granted:
    """One granted case per recipient: a one-off payment of the category's amount on the day.

    The decision notices are the caller's to send (as a broadcast), in the same transaction.
    """
    if holiday_list.granted_at is not None:
        raise DomainError(
            f"holiday list {holiday_list.id} was granted already", list_id=holiday_list.id
        )
    holiday = find_holiday(env.district, holiday_list.holiday)
    try:  # every amount first: a year missing from the district file stops before any grant
        amounts = {
            c.code: env.district.holiday_amount(c, holiday_list.year) for c in holiday.categories
        }
    except DistrictConfigError as exc:
        raise RuleError(str(exc), year=holiday_list.year) from exc
    day: date = holiday.on(holiday_list.year)
    done = await _already_granted(session, holiday_list)
    now = env.now()
    ids: list[int] = []
    skipped: list[int] = []
    for r in holiday_list.recipients:
        if (r.iin, r.category) in done:
            skipped.append(r.line)
            continue
        amount: Decimal = amounts[r.category]
        applicant = await cases.get_or_create_applicant(
            session, env, r.iin, phone=r.phone, **_split_name(r.full_name)
        )
        # No application is filed (DR §12): the provider opens the case at its decision.
        app = Application(
            applicant_id=applicant.id,
            status=Status.GRANTED,
            channel=Channel.PROVIDER_OFFICE,
            phone=r.phone,
            draft={
                "holiday": holiday_list.holiday,
                "year": holiday_list.year,
                "category": r.category,
            },
            created_at=now,
            updated_at=now,
            family=[],
            documents=[],
            deadlines=[],
            hearings=[],
            decisions=[],
        )
        decision = Decision(granted=True, decided_by=actor, decided_at=now, refusal_grounds=[])
        decision.assistance = Assistance(
            kind=r.category,
            amount=amount,
            periodicity=Periodicity.ONE_OFF,
            starts_on=day,
            termination=None,
        )
        app.decisions.append(decision)
        session.add(app)
        await session.flush()
        session.add(
            AuditEvent(
                application_id=app.id,
                actor=actor,
                action="holiday_granted",
                from_status=None,
                to_status=Status.GRANTED,
                reason=f"{holiday_list.holiday}/{holiday_list.year} {r.category}",
                at=now,
            )
        )
        await cases.refresh_deadlines(session, env, app)
        r.application_id = app.id
        done.add((r.iin, r.category))
        ids.append(app.id)
    holiday_list.granted_at = now
    holiday_list.granted_by = actor
    await session.flush()
    return Granted(application_ids=ids, skipped_lines=skipped)
