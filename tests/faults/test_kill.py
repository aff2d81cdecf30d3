"""kill -9 of a worker mid-drain, then a new worker: nothing lost, nothing sent twice, and the
dead worker's notices taken over within a minute (issue 11: 79/97 duplicates, 603 s stuck)."""

from __future__ import annotations

import pytest

from tests.faults.conftest import MakeRun
from tests.faults.scenarios import kill_mid_drain

pytestmark = pytest.mark.faults

N = 300
RATE = 50.0  # paced, so the kill lands mid-drain with most of the queue claimed


async def test_kill_9_mid_drain_then_restart(make_run: MakeRun, fault_db: str | None) -> None:
    run = await make_run(database_url=fault_db, rate=RATE)
    report = await kill_mid_drain(run, N, kill_after=N // 5, timeout=100)
    detail = f"{report.line()}\n{run.workers['w2'].tail()}"
    assert report.notices == N
    assert report.unsettled == 0, detail
    assert report.lost == 0, detail
    assert report.duplicates == 0, detail
    assert report.printed == 0, detail
    assert report.takeover_s is not None and report.takeover_s <= 60, detail
