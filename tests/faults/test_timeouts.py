"""A provider that takes the message but answers after the client gave up: the worker must ask
the provider before sending again (issue 11: 80 duplicates)."""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import MakeRun
from tests.faults.scenarios import slow_provider

pytestmark = pytest.mark.faults

N = 20
DELAY = 20.0  # the Twilio client waits 15 s


async def test_answer_after_client_timeout_sends_nothing_twice(make_run: MakeRun) -> None:
    run = await make_run()
    started = time.time()
    report = await slow_provider(run, N, delay=DELAY, timeout=120)
    detail = f"{report.line()}\n{run.workers['w1'].tail()}"
    late = [r for r in run.requests() if r.accepted]
    assert len({r.notice_id for r in late}) == N  # the provider did take every notice,
    assert min(r.at for r in late) - started >= DELAY  # and answered after the client gave up
    assert report.unsettled == 0, detail
    assert report.lost == 0, detail
    assert report.duplicates == 0, detail
    assert report.printed == 0, detail
