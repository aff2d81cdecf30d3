"""The delivery fault table of issue 11, at full size: real `komek worker` processes, a recording
fake Twilio in its own process, 2,000 SMS notices per run.

    .venv/bin/python benchmarks/faults.py                       # every fault, SQLite
    .venv/bin/python benchmarks/faults.py --pg postgresql+asyncpg://user@host/emptydb
    .venv/bin/python benchmarks/faults.py --only kill,rate --outage-seconds 120
    .venv/bin/python benchmarks/faults.py --only rate --redis redis://127.0.0.1:6379/0

Faults: `kill` (kill -9 of the worker mid-drain, a new worker started at once; on SQLite and,
with --pg, on PostgreSQL), `timeout` (Twilio takes each message but answers after 20 s, the
client gives up after 15 s, for a 20 s window mid-drain), `outage` (Twilio answers 503 for
--outage-seconds, 10 minutes by default, mid-drain; every notice's legal term a day away),
`rate` (1, 2 and 4 workers under one configured rate). The --pg database is emptied by each run.

Per run it prints: lost (never accepted by the provider nor printed), duplicates (extra
acceptances of one notice, from the fake's log), printed, still unsettled when the run stopped
waiting, the takeover time (kill → the first of the dead worker's notices moving on, from
`notice_events`), the settle time (from the kill, or from the provider's recovery) and the
busiest one-second window the provider saw. Goals: 0 lost, 0 duplicates, 0 printed before the
term, takeover ≤ 60 s, no second above the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.harness import FaultRun, HarnessError, Report  # noqa: E402
from tests.faults.scenarios import (  # noqa: E402
    kill_mid_drain,
    outage,
    slow_provider,
    workers_at_rate,
)

HEADER = (
    f"{'fault':<34} {'db':<10} {'lost':>5} {'dup':>5} {'print':>6} {'left':>5} "
    f"{'takeover':>9} {'settled':>9} {'busiest/s':>9} {'workers':>7}  goal"
)


def row(fault: str, db: str, r: Report, goal: str) -> str:
    def secs(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    return (
        f"{fault:<34} {db:<10} {r.lost:>5} {r.duplicates:>5} {r.printed:>6} {r.unsettled:>5} "
        f"{secs(r.takeover_s):>9} {secs(r.settled_s):>9} {r.busiest['twilio']:>9} "
        f"{len(r.workers):>7}  {goal}"
    )


async def one(
    fault: str,
    db: str,
    url: str | None,
    scenario: Callable[[FaultRun], Awaitable[Report]],
    goal: Callable[[Report], bool],
    **run_kwargs: object,
) -> None:
    try:
        async with FaultRun(database_url=url, **run_kwargs) as run:  # type: ignore[arg-type]
            report = await scenario(run)
    except HarnessError as exc:
        print(f"{fault:<34} {db:<10} harness error: {exc}", flush=True)
        return
    print(row(fault, db, report, "meets" if goal(report) else "MISSES"), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notices", type=int, default=2000, help="notices per run")
    parser.add_argument("--pg", help="URL of a PostgreSQL database to EMPTY and use")
    parser.add_argument("--redis", help="Redis URL for the shared limiter (KOMEK_REDIS_URL)")
    parser.add_argument("--only", default="kill,timeout,outage,rate", help="faults to run")
    parser.add_argument("--rate", type=float, default=100.0, help="SMS per second, in all")
    parser.add_argument("--workers", default="1,2,4", help="worker counts for the rate runs")
    parser.add_argument("--outage-seconds", type=float, default=600.0)
    parser.add_argument("--wait", type=float, default=900.0, help="longest settle wait, s")
    args = parser.parse_args()
    n, only, wait = args.notices, set(args.only.split(",")), args.wait
    dbs = [("sqlite", None)] + ([("postgresql", args.pg)] if args.pg else [])

    def clean(r: Report) -> bool:
        return r.lost == 0 and r.duplicates == 0 and r.unsettled == 0

    print(f"{n} SMS notices per run, {args.rate:g}/s configured\n{HEADER}", flush=True)
    if "kill" in only:
        for db, url in dbs:
            await one(
                "kill -9 mid-drain, restart",
                db,
                url,
                lambda run: kill_mid_drain(run, n, kill_after=n // 4, timeout=wait),
                lambda r: clean(r) and r.takeover_s is not None and r.takeover_s <= 60,
                rate=args.rate,
            )
    if "timeout" in only:
        for db, url in dbs:
            await one(
                "answers after 20 s (client 15 s)",
                db,
                url,
                lambda run: slow_provider(
                    run, n, delay=20.0, start_after=n // 4, slow_for=20.0, timeout=wait
                ),
                clean,
                rate=args.rate,
            )
    if "outage" in only:
        for db, url in dbs:
            await one(
                f"down {args.outage_seconds:g} s (term 1 day)",
                db,
                url,
                lambda run: outage(
                    run,
                    n,
                    seconds=args.outage_seconds,
                    term=timedelta(days=1),
                    start_after=n // 4,
                    timeout=wait,
                ),
                lambda r: clean(r) and r.printed == 0,
                rate=args.rate,
            )
    if "rate" in only:
        for workers in map(int, args.workers.split(",")):
            for db, url in dbs:
                await one(
                    f"{workers} workers at {args.rate:g}/s",
                    db,
                    url,
                    partial(workers_at_rate, n=n, workers=workers, timeout=wait),
                    lambda r: clean(r) and r.busiest["twilio"] <= args.rate,
                    rate=args.rate,
                    redis_url=args.redis,
                )


if __name__ == "__main__":
    asyncio.run(main())
