"""Outbox worker vs a bare loop of the twilio async client, against the same local fake Twilio.

    .venv/bin/python benchmarks/bench_outbox.py                      # SQLite, a fresh file
    .venv/bin/python benchmarks/bench_outbox.py --db sqlite --db postgresql+asyncpg://u@h/emptydb

Both sides send the same messages through the real `twilio` library at the same concurrency
(`--concurrency` tasks in the bare loop, as many senders in the worker) to a fake Twilio server
running in its own process, each side with one long-lived HTTP client. The bare loop calls the
library's `messages.create_async`; the worker's Twilio provider posts the same request through
the library's API version with the form encoded once (gateway/providers/twilio.py), which costs
less CPU. So a third side, the provider alone in the same bare loop, shows what the outbox
itself costs. The worker side also claims every notice (UPDATE … RETURNING, SKIP LOCKED on
PostgreSQL), sends it with no transaction open, and records its provider id, status and
segments: everything the outbox's safety costs (leases renewed and a heartbeat written every
few seconds, as in production).
Rounds alternate, so a busy machine slows every side alike; per database the script prints every
round, the median rates, each side's CPU per message (what decides the ratio on an idle
machine), and the ratio held to the 90 % bar: the median over pairs of a worker round and the
bare round just before it, with its range (and the same against the provider alone). Start-up
garbage is frozen after the warm-up (`gc.freeze()`, as `komek worker` and `komek serve` do once
started), so no full collection of it lands in a round.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework.law.district import load_district  # noqa: E402
from casework.law.notices import (  # noqa: E402
    ChannelReason,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
)
from casework.law.rules import Channel  # noqa: E402
from casework.system.clock import SystemClock  # noqa: E402
from casework.system.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from casework.system.env import CaseEnv, load_calendar  # noqa: E402
from casework.system.migrate import upgrade_engine  # noqa: E402
from casework.system.settings import DEFAULT_DISTRICT_FILE  # noqa: E402
from casework.tables.applicants import Applicant  # noqa: E402
from casework.tables.applications import Application  # noqa: E402
from casework.tables.notices import Notice  # noqa: E402
from gateway.providers.base import Outgoing  # noqa: E402
from gateway.providers.twilio import TwilioProvider, _http_log  # noqa: E402
from gateway.worker import Worker, WorkerConfig  # noqa: E402
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN  # noqa: E402

SENDER = "+15005550006"
TEXT = "№{n} өтініш: көмек тағайындалды, 43 250 ₸, бір жолғы."


def start_fake() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.twilio_server", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


@dataclass
class Round:
    rate: float  # messages per second
    cpu: float  # this process's CPU seconds per message (all threads)


class BareSide:
    """The twilio library's async client in a plain loop: `concurrency` tasks, no database."""

    def __init__(self, base: str, concurrency: int) -> None:
        self.base, self.concurrency = base, concurrency

    async def __aenter__(self) -> BareSide:
        self.http = AsyncTwilioHttpClient(logger=_http_log)
        self.client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=self.http)
        self.client.api.base_url = self.base
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.close()

    async def send(self, i: int) -> None:
        await self.client.messages.create_async(
            to=f"+7701{i:07d}",
            from_=SENDER,
            body=TEXT.format(n=i),
            status_callback=f"https://komek.example.kz/twilio/status?notice={i}",
        )

    async def round(self, n: int) -> Round:
        todo = iter(range(n))

        async def one() -> None:
            for i in todo:
                await self.send(i)

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one() for _ in range(self.concurrency)))
        return Round(n / (time.perf_counter() - start), (time.process_time() - cpu) / n)


def twilio_provider(base: str) -> TwilioProvider:
    """The worker's Twilio provider, unpaced, posting to the fake."""
    return TwilioProvider(
        ACCOUNT_SID,
        AUTH_TOKEN,
        from_=SENDER,
        api_base=base,
        public_url="https://komek.example.kz",
        rate_per_second=0,
    )


class ProviderSide(BareSide):
    """Komek's Twilio provider in the same plain loop: `concurrency` tasks, no database."""

    async def __aenter__(self) -> ProviderSide:
        self.provider = twilio_provider(self.base)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.provider.close()

    async def send(self, i: int) -> None:
        message = Outgoing(
            i, 1, NoticeKind.ACCEPTANCE_RECEIPT, "kk", f"+7701{i:07d}", TEXT.format(n=i)
        )
        await self.provider.pace(message)
        await self.provider.send(message)


class OutboxSide:
    """One database and one worker; each round queues `n` fresh notices and drains them."""

    def __init__(self, base: str, url: str, concurrency: int) -> None:
        self.base, self.url, self.concurrency = base, url, concurrency

    async def __aenter__(self) -> OutboxSide:
        self.engine = make_engine(self.url)
        await upgrade_engine(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        district = load_district(DEFAULT_DISTRICT_FILE)
        now = datetime.now(UTC)
        async with transaction(self.sessions) as s:
            applicant = Applicant(iin="800101300011", locale="kk", created_at=now)
            s.add(applicant)
            await s.flush()
            app = Application(
                applicant_id=applicant.id,
                channel=Channel.PROVIDER_OFFICE,
                draft={},
                created_at=now,
                updated_at=now,
            )
            s.add(app)
            await s.flush()
            self.ids = (app.id, applicant.id)
            calendar = await load_calendar(s, district)
        env = CaseEnv(clock=SystemClock(), calendar=calendar, district=district)
        self.provider = twilio_provider(self.base)
        self.worker = Worker(
            self.sessions,
            env,
            {NoticeChannel.SMS: self.provider},
            config=WorkerConfig(concurrency=self.concurrency),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.provider.close()
        await self.engine.dispose()

    async def round(self, n: int) -> Round:
        now = datetime.now(UTC)
        app_id, applicant_id = self.ids
        rows = [
            dict(
                application_id=app_id,
                applicant_id=applicant_id,
                kind=NoticeKind.ACCEPTANCE_RECEIPT,
                locale="kk",
                payload={},
                channel=NoticeChannel.SMS,
                channel_reason=ChannelReason.MCDB_REGISTERED,
                address=f"+7701{i:07d}",
                title="t",
                text=TEXT.format(n=i),
                sms_text=TEXT.format(n=i),
                status=NoticeStatus.QUEUED,
                due_at=now,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            for i in range(n)
        ]
        async with transaction(self.sessions) as s:
            await s.execute(insert(Notice), rows)
        start, cpu = time.perf_counter(), time.process_time()
        done = await self.worker.drain()
        rnd = Round(n / (time.perf_counter() - start), (time.process_time() - cpu) / n)
        async with self.sessions() as s:
            left = await s.scalar(select(func.count()).where(Notice.status != NoticeStatus.SENT))
        assert done == n and left == 0, (done, left)  # every result recorded
        return rnd


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notices", type=int, default=2000, help="messages per round")
    parser.add_argument(
        "--concurrency", type=int, default=20, help="bare-loop tasks and worker senders alike"
    )
    parser.add_argument("--rounds", type=int, default=9, help="rounds per side, alternating")
    parser.add_argument(
        "--db",
        action="append",
        help="URL of an EMPTY database to migrate and use, or `sqlite` for a fresh SQLite file "
        "in a temporary directory (the default); repeat to measure several databases",
    )
    args = parser.parse_args()
    proc, base = start_fake()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for db in args.db or ["sqlite"]:
                url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3" if db == "sqlite" else db
                await measure(base, url, args)
    finally:
        proc.terminate()
        proc.wait()


async def measure(base: str, url: str, args: argparse.Namespace) -> None:
    bares: list[Round] = []
    alones: list[Round] = []
    outboxes: list[Round] = []
    async with (
        BareSide(base, args.concurrency) as bare_side,
        ProviderSide(base, args.concurrency) as provider_side,
        OutboxSide(base, url, args.concurrency) as outbox_side,
    ):
        await bare_side.round(200)  # warm up: connections, caches, compiled statements
        await provider_side.round(200)
        await outbox_side.round(200)
        gc.freeze()
        for _ in range(args.rounds):
            bares.append(await bare_side.round(args.notices))
            alones.append(await provider_side.round(args.notices))
            outboxes.append(await outbox_side.round(args.notices))
    print(
        "rounds (msg/s): bare "
        + ", ".join(f"{r.rate:.0f}" for r in bares)
        + " | provider alone "
        + ", ".join(f"{r.rate:.0f}" for r in alones)
        + " | outbox "
        + ", ".join(f"{r.rate:.0f}" for r in outboxes)
    )
    print(f"notices: {args.notices}, concurrency: {args.concurrency}, db: {url.split(':')[0]}")
    for name, rounds in (
        ("bare twilio loop", bares),
        ("provider alone", alones),
        ("outbox worker", outboxes),
    ):
        print(
            f"{name + ':':18s}{statistics.median(r.rate for r in rounds):8.1f} msg/s (median), "
            f"{statistics.median(r.cpu for r in rounds) * 1e3:.3f} ms CPU/msg"
        )
    # Each worker round against the round just before it: load that drifts over the run (other
    # processes on the machine) cancels out of these, which medians alone cannot do.
    pairs = sorted(o.rate / b.rate for b, o in zip(bares, outboxes, strict=True))
    ratio = statistics.median(pairs)
    print(
        f"ratio:            {ratio:8.1%}  median of {len(pairs)} paired rounds "
        f"(range {pairs[0]:.0%}-{pairs[-1]:.0%}); "
        f"{'meets' if ratio >= 0.9 else 'BELOW'} the 90% bar"
    )
    own = sorted(o.rate / a.rate for a, o in zip(alones, outboxes, strict=True))
    print(
        f"against the provider alone: {statistics.median(own):.1%} "
        f"(range {own[0]:.0%}-{own[-1]:.0%}): what the outbox itself costs"
    )
    print()


if __name__ == "__main__":
    asyncio.run(main())
