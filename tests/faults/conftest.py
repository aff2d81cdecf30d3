"""Fault-suite fixtures: a `FaultRun` factory whose runs are always closed (their processes
killed, their files removed), on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import PG_URL
from tests.faults.harness import FaultRun

REDIS_URL = os.environ.get("KOMEK_TEST_REDIS_URL")
MakeRun = Callable[..., Awaitable[FaultRun]]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fault_db(request: pytest.FixtureRequest) -> str | None:
    """None for a fresh SQLite file; the test PostgreSQL database (emptied by the run)."""
    if request.param == "sqlite":
        return None
    if not PG_URL:
        pytest.skip("KOMEK_TEST_DATABASE_URL is not set")
    return PG_URL


@pytest.fixture
async def make_run() -> AsyncIterator[MakeRun]:
    runs: list[FaultRun] = []

    async def make(**kwargs: Any) -> FaultRun:
        run = FaultRun(**kwargs)
        await run.__aenter__()
        runs.append(run)
        return run

    yield make
    for run in runs:
        await run.close()
