"""The mobile citizens database list (`iin,phone,registered_on`), loaded by `komek mcdb import`.

Every row goes through the one CSV reader (casework.system.csvfile): bad rows are reported with
their line numbers, good rows are kept, and the file is read in bounded memory, a chunk of rows
at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Annotated, BinaryIO

from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.identity import IIN, Phone
from casework.system.csvfile import Row, RowError, read_rows
from casework.tables.mcdb import McdbEntry

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def _day(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"registration date {raw!r} is not YYYY-MM-DD or DD.MM.YYYY")


class Registration(BaseModel):
    """One row of the mobile citizens database: this phone is verified for this IIN."""

    iin: IIN
    phone: Phone
    registered_on: Annotated[date, BeforeValidator(_day), Field(title="date")]


COLUMNS = ("iin", "phone", "registered_on")
ALIASES = {
    "iin": ("iin", "иин", "жсн"),
    "phone": ("phone", "телефон"),
    "registered_on": ("registered_on", "registration_date"),
}
CHUNK = 1000  # rows written per round trip; memory stays bounded whatever the file's size
MCDB: Table = McdbEntry.__table__  # type: ignore[assignment]


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)


async def import_mcdb(
    session: AsyncSession, source: Path | BinaryIO | bytes, *, now: datetime
) -> ImportReport:
    """Load the rows; bad rows are reported by line, good rows kept (a known pair is updated)."""
    report = ImportReport()

    def good(items: Iterable[Row[Registration] | RowError]) -> Iterator[Registration]:
        for item in items:
            if isinstance(item, RowError):
                report.errors.append((item.line, item.message))
            else:
                yield item.value

    rows = good(
        read_rows(
            source,
            Registration,
            columns=COLUMNS,
            aliases=ALIASES,
            key=lambda r: (
                r.iin + r.phone
            ),  # one string a row: the index is the one thing that grows
            multiline=False,
        )
    )
    while chunk := list(islice(rows, CHUNK)):
        await _save(session, chunk, now, report)
    return report


async def _save(
    session: AsyncSession, rows: list[Registration], now: datetime, report: ImportReport
) -> None:
    """One chunk in three statements: which pairs are known, insert the new, update the known."""
    pairs = [(r.iin, r.phone) for r in rows]
    stmt = select(MCDB.c.iin, MCDB.c.phone).where(tuple_(MCDB.c.iin, MCDB.c.phone).in_(pairs))
    known = {(iin, phone) for iin, phone in await session.execute(stmt)}
    new = [r for r in rows if (r.iin, r.phone) not in known]
    if new:
        await session.execute(
            insert(MCDB),
            [
                {
                    "iin": r.iin,
                    "phone": r.phone,
                    "registered_on": r.registered_on,
                    "imported_at": now,
                }
                for r in new
            ],
        )
    again = [r for r in rows if (r.iin, r.phone) in known]
    if again:
        await session.execute(
            update(MCDB)
            .where(MCDB.c.iin == bindparam("b_iin"), MCDB.c.phone == bindparam("b_phone"))
            .values(registered_on=bindparam("b_registered_on"), imported_at=now),
            [
                {"b_iin": r.iin, "b_phone": r.phone, "b_registered_on": r.registered_on}
                for r in again
            ],
        )
    report.added += len(new)
    report.updated += len(again)
