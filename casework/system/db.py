"""Engines, sessions and the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

from sqlalchemy import Executable, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from casework.system.sqlite_trips import one_trip_dbapi


def make_engine(url: str, **kwargs: object) -> AsyncEngine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        module = one_trip_dbapi() if url.startswith("sqlite+aiosqlite") else None
        if module is not None:
            kwargs.setdefault("module", module)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL syncs at checkpoints rather than at every commit: the file stays
            # consistent whatever happens, and a crash of the process loses nothing; only a power
            # cut or OS crash may undo the last commits (the sites that cannot afford that run
            # PostgreSQL). It takes an fsync off every bot update and every claimed notice.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            # A statement that fires a trigger keeps a statement journal, a temporary file by
            # default: in memory it costs the outbox's per-notice updates 40 % less.
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

    return engine


class Bound(NamedTuple):
    """A statement built once for its shape, and this call's values: `session.execute(*bound)`.
    Composing a statement and its cache key on every request cost more than SQLite takes to
    answer it (issue 15)."""

    stmt: Executable
    params: dict[str, Any]


def given(**values: Any) -> dict[str, Any]:
    """The values a shape binds: those given (None, an empty text or list: not narrowed by).
    A shape is then chosen by these keys alone, so it binds exactly what is passed."""
    return {k: v for k, v in values.items() if not (v is None or (v == "" or v == []))}


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session
