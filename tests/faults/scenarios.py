"""The issue's faults, each as one function over a `FaultRun`: the CI tests run them small, the
benchmark (benchmarks/faults.py) at full size. Each returns the run's `Report`."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from tests.faults.harness import FaultRun, Report


async def kill_mid_drain(run: FaultRun, n: int, *, kill_after: int, timeout: float) -> Report:
    """kill -9 the only worker once the provider took `kill_after` messages, start another,
    and wait for the outbox to settle: takeover and settled times count from the kill."""
    await run.seed(n)
    run.start_worker("w1")
    run.wait_sends(kill_after)
    killed = run.kill("w1")
    dead = await run.held_by("w1")  # what the dead worker held: its leases must lapse
    run.start_worker("w2")
    settled = await run.settle(timeout)
    report = await run.report(since=killed, dead=dead)
    report.settled_s = settled - killed if settled is not None else None
    return report


async def slow_provider(
    run: FaultRun,
    n: int,
    *,
    delay: float,
    start_after: int = 0,
    slow_for: float | None = None,
    timeout: float,
) -> Report:
    """The provider takes each message but answers after `delay` s (longer than the client
    waits). From the `start_after`-th send, for `slow_for` seconds, or, when None, until it has
    answered every notice once; then it is quick again."""
    await run.seed(n)
    if not start_after:
        run.control("slow", delay=delay)
    run.start_worker("w1")
    if start_after:
        run.wait_sends(start_after)
        run.control("slow", delay=delay)
    began = time.time()
    if slow_for is None:
        run.wait_sends(n, timeout=delay * 4 + 60)
    else:
        await asyncio.sleep(slow_for)
    run.control("ok")
    ended = time.time()
    settled = await run.settle(timeout)
    report = await run.report(since=began)
    report.settled_s = settled - ended if settled is not None else None
    return report


async def outage(
    run: FaultRun,
    n: int,
    *,
    seconds: float,
    term: timedelta,
    start_after: int = 0,
    timeout: float,
) -> Report:
    """The provider answers 503 to everything for `seconds`, from the `start_after`-th send;
    every notice's legal term is `term` away. Settled time counts from the provider's return."""
    await run.seed(n, term=term)
    if not start_after:
        run.control("down")
    run.start_worker("w1")
    if start_after:
        run.wait_sends(start_after)
        run.control("down")
    began = time.time()
    await asyncio.sleep(seconds)
    run.control("ok")
    ended = time.time()
    settled = await run.settle(timeout)
    report = await run.report(since=began)
    report.settled_s = settled - ended if settled is not None else None
    return report


async def workers_at_rate(run: FaultRun, n: int, *, workers: int, timeout: float) -> Report:
    """`workers` workers, all started and idle before the notices arrive, drain `n` notices
    under the run's configured rate."""
    names = [f"w{i + 1}" for i in range(workers)]
    for name in names:
        run.start_worker(name, wait=False)
    for name in names:
        run.wait_started(name)
    began = time.time()
    await run.seed(n)
    settled = await run.settle(timeout)
    report = await run.report()
    report.settled_s = settled - began if settled is not None else None
    return report
