"""Workers under one configured rate: the provider never sees a second above it, with one
worker and with several (issue 11: 200/s from two workers limited to 100/s each).

Several workers share their schedule in Redis or PostgreSQL (gateway/providers/limits.py);
SQLite is the single embedded worker's database, so it runs the one-worker case."""

from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.faults.conftest import REDIS_URL, MakeRun
from tests.faults.scenarios import workers_at_rate

pytestmark = pytest.mark.faults

RATE = 40.0
# A worker claims what it sends in about 10 s: with this many notices each, every worker of
# the run takes part, so they must share the provider's limit.
PER_WORKER = 300


@pytest.mark.parametrize(
    ("backend", "workers"),
    [
        ("sqlite", 1),
        pytest.param("redis", 2, marks=pytest.mark.skipif(not REDIS_URL, reason="no test Redis")),
        pytest.param(
            "postgresql",
            2,
            marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="no test PG")],
        ),
    ],
)
async def test_workers_hold_the_rate_together(
    make_run: MakeRun, backend: str, workers: int
) -> None:
    run = await make_run(
        database_url=PG_URL if backend == "postgresql" else None,
        redis_url=REDIS_URL if backend == "redis" else None,
        rate=RATE,
    )
    report = await workers_at_rate(run, PER_WORKER * workers, workers=workers, timeout=90)
    detail = report.line()
    assert report.unsettled == 0 and report.lost == 0 and report.duplicates == 0, detail
    assert len(report.workers) == workers, f"every worker must have sent: {report.workers}"
    assert report.busiest["twilio"] <= RATE, detail
