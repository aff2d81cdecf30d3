"""The embedded database answers through one trip to its thread per statement
(casework/system/sqlite_trips.py) and answers as SQLAlchemy's own adapter does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from casework.system.db import make_engine


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.sqlite3'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_rows_counts_and_new_ids_are_what_sqlite_says(sqlite: AsyncEngine) -> None:
    async with sqlite.begin() as conn:
        first = await conn.execute(text("INSERT INTO t (name) VALUES ('Әлия')"))
        assert first.lastrowid == 1
        returned = await conn.execute(text("INSERT INTO t (name) VALUES ('Нұрлан') RETURNING id"))
        assert returned.scalar_one() == 2
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "Бақыт"}, {"name": "Дана"}]
        )
        assert many.rowcount == 2
        skipped = await conn.execute(
            text("INSERT INTO t (name) VALUES ('Әлия') ON CONFLICT (name) DO NOTHING")
        )
        assert skipped.rowcount == 0  # what the inbound claim reads: a copy changes nothing
        changed = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
        assert changed.rowcount == 2
        rows = await conn.execute(text("SELECT id, name FROM t ORDER BY id"))
        assert rows.all() == [(1, "Әлия"), (2, "Нұрлан"), (3, "Бақыт!"), (4, "Дана!")]
        streamed = await conn.stream(text("SELECT name FROM t ORDER BY id"))
        assert [name async for (name,) in streamed] == ["Әлия", "Нұрлан", "Бақыт!", "Дана!"]


async def test_a_broken_rule_is_the_same_error_and_nothing_half_saved(sqlite: AsyncEngine) -> None:
    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: t\.name"):
        async with sqlite.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('Әлия')"))
            await conn.execute(text("INSERT INTO t (name) VALUES ('Әлия')"))
    async with sqlite.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_one_trip_to_the_thread_per_statement(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    async with sqlite.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the connection and its first transaction
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        for _ in range(3):
            await conn.execute(text("SELECT name FROM t WHERE id = 1"))
    assert trips[:3] == ["_run"] * 3  # SQLAlchemy's own adapter makes four per statement
