"""One row by its id, for every lookup a caller names by number: a missing row, or a number no
row can have, is `NotFound` (404), never a crash in the database driver."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import NotFound
from casework.tables.base import Base

# Ids are 32-bit integers in PostgreSQL: a larger number names no row and must not reach the
# driver, which would refuse it with an error instead of an empty result.
ID_MAX = 2**31 - 1

T = TypeVar("T", bound=Base)


def not_found(row_id: int, *, what: str, key: str) -> NotFound:
    return NotFound(f"{what} {row_id} not found", **{key: row_id})


def check_id(row_id: int, *, what: str, key: str) -> None:
    """Refuse a number no row can have before it reaches the driver."""
    if not 0 < row_id <= ID_MAX:
        raise not_found(row_id, what=what, key=key)


async def get(
    session: AsyncSession,
    table: type[T],
    row_id: int,
    *,
    what: str,
    key: str,
    for_update: bool = False,
) -> T:
    """The row, or NotFound naming `what` ("notice 12 not found") with the id as `key`."""
    check_id(row_id, what=what, key=key)
    row = await session.get(table, row_id, with_for_update=for_update)
    if row is None:
        raise not_found(row_id, what=what, key=key)
    return row
