"""Shared fixtures: a real database (SQLite always, PostgreSQL when configured), a fixed clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.law.district import District, load_district
from casework.system.db import make_engine, make_sessionmaker
from casework.system.env import CaseEnv, load_calendar
from casework.system.migrate import upgrade_engine
from casework.system.runtime import Runtime
from casework.system.settings import DEFAULT_DISTRICT_FILE, Settings
from tests.fakes.clock import FixedClock

PG_URL = os.environ.get("KOMEK_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'komek.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("KOMEK_TEST_DATABASE_URL is not set")
    engine = make_engine(PG_URL)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    yield PG_URL


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade_engine(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def clock() -> FixedClock:
    # Monday 16 November 2026, 10:00 in Almaty: an ordinary working morning.
    return FixedClock(datetime(2026, 11, 16, 5, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def district() -> District:
    return load_district(DEFAULT_DISTRICT_FILE)


@pytest.fixture
async def env(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock, district: District
) -> CaseEnv:
    async with sessions() as session:
        calendar = await load_calendar(session, district)
    return CaseEnv(clock=clock, calendar=calendar, district=district)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """No .env file, no Redis, files in tmp_path; a test overrides this fixture to add more."""
    return Settings(
        database_url=database_url, files_dir=tmp_path / "files", redis_url=None, _env_file=None
    )


@pytest.fixture
def runtime(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    district: District,
    clock: FixedClock,
) -> Runtime:
    """What the app runs on, over the test database."""
    return Runtime(
        settings=settings, engine=engine, sessions=sessions, district=district, clock=clock
    )
