"""Outbox worker vs a bare loop of the twilio async client, against the same local fake Twilio.

    .venv/bin/python benchmarks/bench_outbox.py [--notices 2000] [--concurrency 20] [--db URL]

Both sides send the same messages through the real `twilio` library at the same concurrency to a
fake Twilio server running in its own process, in alternating rounds (medians are compared, so a
busy machine slows both alike). The worker side also claims every notice and records its
provider id, status and segments, i.e. everything the outbox's safety costs. Prints both rates
and their ratio; the bar is 70 %.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework.cases import CaseEnv, load_calendar  # noqa: E402
from casework.clock import SystemClock  # noqa: E402
from casework.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from casework.district import load_district  # noqa: E402
from casework.migrate import upgrade_engine  # noqa: E402
from casework.models import Applicant, Application  # noqa: E402
from casework.notices import NoticeKind  # noqa: E402
from casework.outbox import ChannelReason, Notice, NoticeChannel, NoticeStatus  # noqa: E402
from casework.rules import Channel  # noqa: E402
from casework.settings import DEFAULT_DISTRICT_FILE  # noqa: E402
from gateway.providers.twilio import TwilioProvider, _http_log  # noqa: E402
from gateway.worker import Worker, WorkerConfig  # noqa: E402
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN  # noqa: E402

SENDER = "+15005550006"
TEXT = "№{n} өтініш: көмек тағайындалды, 43 250 ₸, бір жолғы."


def start_fake() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.twilio_server", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


async def bare_loop(base: str, n: int, concurrency: int) -> float:
    http = AsyncTwilioHttpClient(logger=_http_log)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
    client.api.base_url = base
    todo = iter(range(n))

    async def one() -> None:
        for i in todo:
            await client.messages.create_async(
                to=f"+7701{i:07d}", from_=SENDER, body=TEXT.format(n=i),
                status_callback=f"https://komek.example.kz/twilio/status?notice={i}",
            )

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await http.close()
    return n / elapsed


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
            app = Application(applicant_id=applicant.id, channel=Channel.PROVIDER_OFFICE,
                              draft={}, created_at=now, updated_at=now)
            s.add(app)
            await s.flush()
            self.ids = (app.id, applicant.id)
            calendar = await load_calendar(s, district)
        env = CaseEnv(clock=SystemClock(), calendar=calendar, district=district)
        self.provider = TwilioProvider(
            ACCOUNT_SID, AUTH_TOKEN, from_=SENDER, api_base=self.base,
            public_url="https://komek.example.kz", rate_per_second=0,
        )
        self.worker = Worker(self.sessions, env, {NoticeChannel.SMS: self.provider},
                             config=WorkerConfig(concurrency=self.concurrency))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.provider.close()
        await self.engine.dispose()

    async def round(self, n: int) -> float:
        now = datetime.now(UTC)
        app_id, applicant_id = self.ids
        rows = [
            dict(application_id=app_id, applicant_id=applicant_id,
                 kind=NoticeKind.ACCEPTANCE_RECEIPT, locale="kk", payload={},
                 channel=NoticeChannel.SMS, channel_reason=ChannelReason.MCDB_REGISTERED,
                 address=f"+7701{i:07d}", title="t", text=TEXT.format(n=i),
                 sms_text=TEXT.format(n=i), status=NoticeStatus.QUEUED, due_at=now,
                 attempts=0, created_at=now, updated_at=now)
            for i in range(n)
        ]
        async with transaction(self.sessions) as s:
            await s.execute(insert(Notice), rows)
        start = time.perf_counter()
        done = await self.worker.drain()
        elapsed = time.perf_counter() - start
        async with self.sessions() as s:
            left = await s.scalar(
                select(func.count()).where(Notice.status != NoticeStatus.SENT)
            )
        assert done == n and left == 0, (done, left)
        return n / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    proc, base = start_fake()
    bares: list[float] = []
    outboxes: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            await bare_loop(base, 200, args.concurrency)  # warm up both sides of the socket
            async with OutboxSide(base, url, args.concurrency) as outbox_side:
                # Rounds alternate, so a busy machine slows both sides alike.
                for _ in range(args.rounds):
                    bares.append(await bare_loop(base, args.notices, args.concurrency))
                    outboxes.append(await outbox_side.round(args.notices))
    finally:
        proc.terminate()
        proc.wait()
    bare, outbox = statistics.median(bares), statistics.median(outboxes)
    print("rounds (msg/s): bare " + ", ".join(f"{r:.0f}" for r in bares)
          + " | outbox " + ", ".join(f"{r:.0f}" for r in outboxes))
    ratio = outbox / bare
    print(f"notices: {args.notices}, concurrency: {args.concurrency}, db: {url.split(':')[0]}")
    print(f"bare twilio loop: {bare:8.1f} msg/s (median)")
    print(f"outbox worker:    {outbox:8.1f} msg/s (median)")
    print(f"ratio:            {ratio:8.1%}  ({'meets' if ratio >= 0.7 else 'BELOW'} the 70% bar)")


if __name__ == "__main__":
    asyncio.run(main())
