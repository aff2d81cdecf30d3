"""SQLite through aiosqlite in one trip per statement.

aiosqlite runs each connection in a thread of its own and SQLAlchemy's adapter goes there four
times per statement: to open a cursor, to execute, to fetch the rows, to close. Each trip wakes
the thread and then the event loop (about 45 µs of CPU), ten times what SQLite takes to answer a
lookup by key. Here one function does all four in the thread, and the cursor the rest of
SQLAlchemy sees holds what it read. Everything else — the thread, the pool, transactions,
server-side cursors — stays aiosqlite's and SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, NamedTuple

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)


class _Done(NamedTuple):
    """What a statement left on its (already closed) cursor."""

    description: Any
    rowcount: int
    lastrowid: int | None
    arraysize: int = 1

    def close(self) -> None:
        return None


_NOT_RUN = _Done(description=None, rowcount=-1, lastrowid=None)


def _run(conn: sqlite3.Connection, many: bool, sql: str, params: Any) -> tuple[_Done, list[Any]]:
    """In aiosqlite's thread: execute, read every row, close."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params if params is not None else ())
        rows = cursor.fetchall() if cursor.description else []
        return _Done(cursor.description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False  # nothing left open in the thread to close

    def _make_new_cursor(self, connection: Any) -> Any:
        return _NOT_RUN  # no cursor is opened before the statement: that was a trip of its own

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_trip(False, operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_trip(True, operation, seq_of_parameters)

    async def _one_trip(self, many: bool, operation: Any, parameters: Any) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            done, rows = await connection._execute(
                _run, connection._conn, many, operation, parameters
            )
        self._cursor = done
        self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        plain = super().connect(*arg, **kw)
        return OneTripConnection(self, plain._connection)


def one_trip_dbapi() -> OneTripDBAPI | None:
    """The module for `create_async_engine(module=…)`; None if this aiosqlite lacks what it
    uses (its `_execute` and `_conn`), and then the engine keeps SQLAlchemy's own adapter."""
    if not hasattr(aiosqlite.Connection, "_execute"):
        return None
    return OneTripDBAPI(aiosqlite, sqlite3)
