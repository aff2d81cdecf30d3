"""Forming and exporting one month's payment register for 100,000 recipients (DR §30).

    .venv/bin/python benchmarks/bench_register.py                     # SQLite, 100,000 recipients
    .venv/bin/python benchmarks/bench_register.py --rounds 5 \\
        --db postgresql+asyncpg://postgres@127.0.0.1:5432/test         # SQLite and PostgreSQL

The database is seeded once per backend (granted monthly assistance, one scheduled payment each,
written with core inserts). Each round then runs the real `export_register` and `register_file`
in a fresh process, so its peak RSS is the export's own, and puts the payments back afterwards.
With `--db`, rounds alternate SQLite and PostgreSQL. The script prints every round, then the
median and range of time and peak RSS per backend.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert, text, update  # noqa: E402

from casework.law.payments import PaymentStatus  # noqa: E402
from casework.law.rules import Channel, Ground, Periodicity  # noqa: E402
from casework.law.status import Status  # noqa: E402
from casework.system.db import make_engine  # noqa: E402
from casework.system.migrate import upgrade_engine  # noqa: E402
from casework.tables.applicants import Applicant  # noqa: E402
from casework.tables.applications import Application  # noqa: E402
from casework.tables.decisions import Assistance, Decision  # noqa: E402
from casework.tables.payments import PaymentEntry, PaymentRegister  # noqa: E402

MONTH = date(2026, 12, 1)
IBAN = "KZ86125KZT5004100100"
CHUNK = 5_000
FIGURES = re.compile(r"^seconds=([\d.]+) peak_rss_kib=(\d+) lines=(\d+)$", re.M)


async def seed(url: str, recipients: int) -> None:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade_engine(engine)
    now = datetime(2026, 11, 20, 5, tzinfo=UTC)
    async with engine.begin() as conn:
        for start in range(0, recipients, CHUNK):
            ids = range(start + 1, min(start + CHUNK, recipients) + 1)
            await conn.execute(
                insert(Applicant),
                [{"id": n, "iin": f"{n:012d}", "created_at": now} for n in ids],
            )
            await conn.execute(
                insert(Application),
                [
                    {
                        "id": n,
                        "applicant_id": n,
                        "status": Status.NOTIFIED_GRANTED,
                        "channel": Channel.PROVIDER_OFFICE,
                        "ground": Ground.DISEASE,
                        "iban": IBAN,
                        "extended": False,
                        "draft": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in ids
                ],
            )
            await conn.execute(
                insert(Decision),
                [
                    {
                        "id": n,
                        "application_id": n,
                        "granted": True,
                        "refusal_grounds": [],
                        "decided_by": "bench",
                        "decided_at": now,
                    }
                    for n in ids
                ],
            )
            await conn.execute(
                insert(Assistance),
                [
                    {
                        "id": n,
                        "decision_id": n,
                        "kind": "disease",
                        "amount": Decimal("43250"),
                        "periodicity": Periodicity.MONTHLY,
                        "starts_on": MONTH,
                    }
                    for n in ids
                ],
            )
            await conn.execute(
                insert(PaymentEntry),
                [
                    {
                        "assistance_id": n,
                        "application_id": n,
                        "kind": "disease",
                        "periodic": True,
                        "payment_month": MONTH,
                        "period_starts": MONTH,
                        "period_ends": date(2026, 12, 31),
                        "amount": Decimal("43250"),
                        "status": PaymentStatus.SCHEDULED,
                    }
                    for n in ids
                ],
            )
    await engine.dispose()


async def put_back(url: str) -> None:
    """The payments owed again, the register gone: the next round exports the same month."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            update(PaymentEntry).values(
                status=PaymentStatus.SCHEDULED, register_id=None, line=None, iban=None
            )
        )
        await conn.execute(delete(PaymentRegister))
    await engine.dispose()


# The child: one export, timed, then its own peak RSS (ru_maxrss is the process's lifetime peak).
CHILD = """
import asyncio, resource, sys, time
from datetime import UTC, datetime
from casework.law.district import load_district
from casework.system.db import make_engine, make_sessionmaker
from casework.system.env import CaseEnv, load_calendar
from casework.system.settings import DEFAULT_DISTRICT_FILE
from casework.steps.registers import export_register, register_file
from tests.fakes.clock import FixedClock

async def main(url):
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    district = load_district(DEFAULT_DISTRICT_FILE)
    async with sessions() as session:
        calendar = await load_calendar(session, district)
    env = CaseEnv(clock=FixedClock(datetime(2026, 11, 20, 5, tzinfo=UTC)), calendar=calendar,
                  district=district)
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        exported = await export_register(session, env, periodic=True,
                                         payment_month=datetime(2026, 12, 1).date(), actor="bench")
        data = await register_file(session, exported.register)
    seconds = time.perf_counter() - started
    await engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    lines = len(data.splitlines()) - 10  # the control block, a blank line, the header
    print(f"seconds={seconds:.2f} peak_rss_kib={peak} lines={lines}")

asyncio.run(main(sys.argv[1]))
"""


def one_round(url: str) -> tuple[float, float, int]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    found = FIGURES.search(done.stdout)
    assert found, done.stdout + done.stderr
    asyncio.run(put_back(url))
    return float(found[1]), int(found[2]) / 1024, int(found[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", help="a PostgreSQL URL to compare with (it is emptied)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="komek-bench-"))
    backends = {"sqlite": f"sqlite+aiosqlite:///{folder / 'komek.sqlite3'}"}
    if args.db:
        backends["postgresql"] = args.db
    for name, url in backends.items():
        print(f"seeding {name} with {args.recipients:,} recipients …", flush=True)
        asyncio.run(seed(url, args.recipients))
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in backends}
    for n in range(1, args.rounds + 1):
        for name, url in backends.items():  # alternating backends, round by round
            seconds, mib, lines = one_round(url)
            assert lines == args.recipients, lines
            results[name].append((seconds, mib))
            print(f"round {n} {name:10} {seconds:6.2f} s  peak {mib:6.1f} MiB  {lines:,} lines")
    for name, rows in results.items():
        times = [s for s, _ in rows]
        peaks = [m for _, m in rows]
        print(
            f"{name:10} median {statistics.median(times):.2f} s "
            f"(range {min(times):.2f}–{max(times):.2f}), peak RSS median "
            f"{statistics.median(peaks):.0f} MiB (range {min(peaks):.0f}–{max(peaks):.0f})"
        )


if __name__ == "__main__":
    main()
