"""The delivery fault harness: a real outbox, real `komek worker` processes, a recording fake
Twilio in its own process, and the measurements an operator cares about.

One `FaultRun` owns everything it starts: a temporary directory (the SQLite file, the fake's
request log, each worker's output), the fake Twilio process and any number of worker
processes. `close()` kills them all and removes the directory, whatever happened before.

The figures come from two independent records: the fake's log (every request the provider saw,
with the notice id from its StatusCallback and the status it answered) and the database (each
notice's final status, and the `notice_events` the trigger wrote). A notice is

- lost: never accepted by the provider and not in the print queue;
- duplicated: accepted by the provider more than once (each extra acceptance counts);
- printed: fallen back to the print queue.

The busiest second is counted on the times the fake stamps its log lines with: when it answers,
which is when the request arrived in the "ok" and "down" modes, and `delay` later in "slow".
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.law.rules import Channel
from casework.system.db import make_engine, make_sessionmaker, transaction
from casework.system.migrate import upgrade_engine
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.notices import Notice, NoticeEvent
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN

ROOT = Path(__file__).resolve().parents[2]
# The command an operator runs; `python -m gateway.cli` where the script is not installed.
_SCRIPT = Path(sys.executable).with_name("komek")
KOMEK = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "gateway.cli"]
SENDER = "+15005550006"
PUBLIC_URL = "https://komek.example.kz"  # only for the StatusCallback: it names the notice
TEXT = "№{n} өтініш: мерекелік көмек тағайындалды, 43 250 ₸."
# A notice is done with once it is in one of these: the provider took it, or it is on paper.
PRINTED = frozenset({NoticeStatus.TO_PRINT, NoticeStatus.HANDED_OVER})
IN_FLIGHT = frozenset({NoticeStatus.QUEUED, NoticeStatus.SENDING})


class HarnessError(RuntimeError):
    """A process of the run did not start or answer as it should."""


# ---------------------------------------------------------------------------- the fake's log


@dataclass(frozen=True)
class Request:
    """One request the fake provider answered, from its log."""

    at: float  # epoch seconds
    method: str
    notice_id: int | None
    to: str | None
    status: int | None  # the HTTP status it answered

    @property
    def send(self) -> bool:
        return self.method == "POST"

    @property
    def accepted(self) -> bool:
        return self.send and self.status == 201


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _notice_id(entry: Mapping[str, Any]) -> int | None:
    for key in ("notice", "notice_id"):
        if entry.get(key) is not None:
            return int(entry[key])
    callback = entry.get("status_callback") or entry.get("StatusCallback")
    if callback:
        ids = parse_qs(urlsplit(str(callback)).query).get("notice")
        return int(ids[0]) if ids else None
    return None


def parse_log(path: Path) -> list[Request]:
    """The fake's JSON lines, oldest first; requests to its control endpoint left out."""
    found: list[Request] = []
    if not path.exists():
        return found
    written = path.read_bytes()
    # The fake may be writing its last line as we read: only whole lines count.
    for line in written[: written.rfind(b"\n") + 1].decode().splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if "_control" in str(entry.get("path", "")):
            continue
        status = entry.get("status", entry.get("answered"))
        found.append(
            Request(
                at=_epoch(entry.get("time", entry.get("at"))),
                method=str(entry.get("method", "POST")).upper(),
                notice_id=_notice_id(entry),
                to=entry.get("to"),
                status=int(status) if status is not None else None,
            )
        )
    found.sort(key=lambda r: r.at)
    return found


def busiest_second(times: Iterable[float]) -> int:
    """The most requests that started within any one second (a sliding window, not calendar
    seconds: a burst across a second's boundary counts whole)."""
    ordered = sorted(times)
    best = 0
    for i, t in enumerate(ordered):
        best = max(best, bisect.bisect_left(ordered, t + 1.0, lo=i) - i)
    return best


# ---------------------------------------------------------------------------- the report


@dataclass
class Report:
    notices: int
    lost: int
    duplicates: int
    printed: int
    unsettled: int  # still queued or in flight when the run stopped waiting
    statuses: dict[str, int]
    busiest: dict[str, int]  # provider → most sends in any one second
    workers: list[str] = field(default_factory=list)  # the workers that claimed notices
    takeover_s: float | None = None  # kill → the first of the dead worker's notices moved on
    settled_s: float | None = None  # kill (or the fault's end) → nothing left in flight

    def line(self) -> str:
        def secs(v: float | None) -> str:
            return "—" if v is None else f"{v:.1f} s"

        return (
            f"lost {self.lost}, duplicates {self.duplicates}, printed {self.printed}, "
            f"unsettled {self.unsettled}, takeover {secs(self.takeover_s)}, "
            f"settled {secs(self.settled_s)}, busiest second "
            + ", ".join(f"{p} {n}" for p, n in self.busiest.items())
        )


# ---------------------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    output: Path

    def tail(self, lines: int = 30) -> str:
        if not self.output.exists():
            return ""
        return "\n".join(self.output.read_text(errors="replace").splitlines()[-lines:])


def _stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.stdout is not None:
        proc.stdout.close()
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class FaultRun:
    """One fault scenario's world. Use as `async with FaultRun(...) as run:`."""

    database_url: str | None = None  # None: a fresh SQLite file in the run's directory
    rate: float = 0.0  # KOMEK_TWILIO_RATE_PER_SECOND for every worker (0: unlimited)
    redis_url: str | None = None  # the shared limiter, when set
    worker_env: dict[str, str] = field(default_factory=dict)  # extra KOMEK_* for every worker
    tmp: Path = field(init=False)
    url: str = field(init=False)
    base: str = field(init=False)  # the fake Twilio's base URL
    log_path: Path = field(init=False)
    fake: Proc | None = field(init=False, default=None)
    workers: dict[str, Proc] = field(init=False, default_factory=dict)
    ids: list[int] = field(init=False, default_factory=list)
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)

    async def __aenter__(self) -> FaultRun:
        self.tmp = Path(tempfile.mkdtemp(prefix="komek-faults-"))
        try:
            self.url = self.database_url or f"sqlite+aiosqlite:///{self.tmp / 'komek.sqlite3'}"
            self.engine = make_engine(self.url)
            if self.url.startswith("postgresql"):
                async with self.engine.begin() as conn:  # a fresh schema: this run's only
                    await conn.execute(text("DROP SCHEMA public CASCADE"))
                    await conn.execute(text("CREATE SCHEMA public"))
            await upgrade_engine(self.engine)
            self.sessions = make_sessionmaker(self.engine)
            self.log_path = self.tmp / "twilio.jsonl"
            self.start_fake()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        for proc in [*self.workers.values(), *([self.fake] if self.fake else [])]:
            _stop(proc.popen)
        if hasattr(self, "engine"):
            await self.engine.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOMEK_")}
        env["PYTHONPATH"] = str(ROOT)
        return env

    def start_fake(self) -> None:
        out, log = self.tmp / "twilio.out", str(self.log_path)
        with out.open("wb") as errors:
            popen = subprocess.Popen(
                [sys.executable, "-m", "tests.fakes.twilio_server", "--port", "0", "--log", log],
                cwd=ROOT,
                env=self._env(),
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        self.fake = Proc("twilio", popen, out)
        assert popen.stdout is not None
        first = popen.stdout.readline().decode().strip()
        if not first:
            popen.wait(5)
            raise HarnessError(f"the fake Twilio did not start:\n{self.fake.tail()}")
        self.base = first if first.startswith("http") else f"http://127.0.0.1:{int(first)}"

    def control(self, mode: str, delay: float = 0.0, status: int = 503) -> None:
        """Switch the fake provider: "ok", "down" (answers `status`), "slow" (after `delay`)."""
        body = json.dumps({"mode": mode, "delay": delay, "status": status}).encode()
        request = urllib.request.Request(
            f"{self.base}/_control",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            if answer.status >= 300:
                raise HarnessError(f"/_control answered {answer.status}")

    # ------------------------------------------------------------------ the outbox

    async def seed(self, n: int, *, term: timedelta = timedelta(days=1)) -> list[int]:
        """`n` SMS notices due now, each to its own number, with a legal term `term` away."""
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
            start = len(self.ids)
            rows = [
                dict(
                    application_id=app.id,
                    applicant_id=applicant.id,
                    kind=NoticeKind.HOLIDAY_ASSISTANCE,
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
                    deliver_by=now + term,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
                for i in range(start, start + n)
            ]
            await s.execute(insert(Notice), rows)
            ids = list(await s.scalars(select(Notice.id).where(Notice.application_id == app.id)))
        self.ids += ids
        return ids

    async def notices(self) -> list[tuple[int, NoticeStatus, str]]:
        """Every notice's id, status and number."""
        async with self.sessions() as s:
            rows = await s.execute(select(Notice.id, Notice.status, Notice.address))
            return [(nid, status, address or "") for nid, status, address in rows]

    async def in_flight(self) -> int:
        async with self.sessions() as s:
            stmt = select(func.count()).where(Notice.status.in_(IN_FLIGHT))
            return int(await s.scalar(stmt) or 0)

    async def held_by(self, worker: str | None = None) -> set[int]:
        """Notices claimed now (by `worker`, when the worker names its claims)."""
        stmt = select(Notice.id).where(Notice.status == NoticeStatus.SENDING)
        if worker is not None:
            stmt = stmt.where((Notice.claimed_by == worker) | Notice.claimed_by.is_(None))
        async with self.sessions() as s:
            return set(await s.scalars(stmt))

    async def claimers(self) -> list[str]:
        """The workers named in the notices' history (a worker names each claim it makes)."""
        stmt = select(NoticeEvent.claimed_by).where(NoticeEvent.claimed_by.is_not(None)).distinct()
        async with self.sessions() as s:
            return sorted(str(name) for name in await s.scalars(stmt))

    async def first_move(self, ids: set[int], after: float) -> float | None:
        """When the first of `ids` left `sending` after `after` (epoch seconds), from the
        notice events the database trigger wrote."""
        if not ids:
            return None
        since = datetime.fromtimestamp(after, UTC)
        stmt = select(func.min(NoticeEvent.at)).where(
            NoticeEvent.notice_id.in_(ids),
            NoticeEvent.at >= since,
            NoticeEvent.status != NoticeStatus.SENDING,
        )
        async with self.sessions() as s:
            at = await s.scalar(stmt)
        return at.timestamp() if at is not None else None

    async def settle(self, timeout: float, *, poll: float = 0.5) -> float | None:
        """Wait until no notice is queued or in flight; the epoch time it happened, or None
        on timeout. A worker that died on its own fails the wait at once."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not await self.in_flight():
                return time.time()
            for proc in self.workers.values():
                code = proc.popen.poll()
                if code is not None and code != -signal.SIGKILL:
                    raise HarnessError(f"worker {proc.name} exited with {code}:\n{proc.tail()}")
            await asyncio.sleep(poll)
        return None

    # ------------------------------------------------------------------ workers

    def start_worker(self, name: str, *, wait: bool = True) -> Proc:
        env = self._env()
        env.update(
            KOMEK_DATABASE_URL=self.url,
            KOMEK_ENVIRONMENT="development",
            KOMEK_FILES_DIR=str(self.tmp / "files"),
            KOMEK_PUBLIC_URL=PUBLIC_URL,
            KOMEK_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            KOMEK_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            KOMEK_TWILIO_FROM=SENDER,
            KOMEK_TWILIO_API_BASE=self.base,
            KOMEK_TWILIO_RATE_PER_SECOND=str(self.rate),
            KOMEK_WORKER_NAME=name,
            KOMEK_LOG_FORMAT="text",
        )
        if self.redis_url:
            env["KOMEK_REDIS_URL"] = self.redis_url
        env.update(self.worker_env)
        out = self.tmp / f"{name}.out"
        with out.open("wb") as output:
            popen = subprocess.Popen(
                [*KOMEK, "worker"],
                cwd=self.tmp,  # no stray .env from the checkout
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        proc = self.workers[name] = Proc(name, popen, out)
        if wait:
            self.wait_started(name)
        return proc

    def wait_started(self, name: str, timeout: float = 120.0) -> None:
        proc = self.workers[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "delivery worker running" in proc.output.read_text(errors="replace"):
                return
            if proc.popen.poll() is not None:
                raise HarnessError(f"worker {proc.name} exited:\n{proc.tail()}")
            time.sleep(0.1)
        raise HarnessError(f"worker {proc.name} did not start in {timeout:.0f} s:\n{proc.tail()}")

    def kill(self, name: str) -> float:
        """kill -9: no clean-up, no last write. Returns the epoch time of the kill."""
        proc = self.workers[name].popen
        at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return at

    def wait_sends(self, count: int, timeout: float = 60.0) -> None:
        """Until the provider has accepted `count` messages (the fake's log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(r.accepted for r in parse_log(self.log_path)) >= count:
                return
            time.sleep(0.05)
        raise HarnessError(f"fewer than {count} sends in {timeout:.0f} s")

    # ------------------------------------------------------------------ the figures

    def requests(self) -> list[Request]:
        return parse_log(self.log_path)

    async def report(self, *, since: float | None = None, dead: set[int] | None = None) -> Report:
        """The run's figures; `since` is the fault's moment (a kill), `dead` the notices the
        killed worker held then."""
        notices = await self.notices()
        statuses = {nid: status for nid, status, _ in notices}
        by_number = {address: nid for nid, _, address in notices}
        requests = self.requests()
        accepted: Counter[int] = Counter()
        for r in requests:
            nid = r.notice_id if r.notice_id is not None else by_number.get(r.to or "")
            if r.accepted and nid is not None:
                accepted[nid] += 1
        printed = sum(s in PRINTED for s in statuses.values())
        lost = sum(
            1
            for nid, s in statuses.items()
            if not accepted[nid] and s not in PRINTED and s is not NoticeStatus.WITHDRAWN
        )
        report = Report(
            notices=len(statuses),
            lost=lost,
            duplicates=sum(n - 1 for n in accepted.values() if n > 1),
            printed=printed,
            unsettled=sum(s in IN_FLIGHT for s in statuses.values()),
            statuses=dict(Counter(str(s) for s in statuses.values())),
            busiest={"twilio": busiest_second(r.at for r in requests if r.send)},
            workers=await self.claimers(),
        )
        if since is not None:
            moved = await self.first_move(dead or set(), since)
            report.takeover_s = moved - since if moved is not None else None
        return report
