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


def possible_id(value: int) -> bool:
    return 0 < value <= ID_MAX


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
    row = (
        await session.get(table, row_id, with_for_update=for_update)
        if possible_id(row_id)
        else None
    )
    if row is None:
        raise NotFound(f"{what} {row_id} not found", **{key: row_id})
    return row
