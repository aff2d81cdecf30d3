"""Send rates shared by several worker processes (gateway/providers/limits.py), on real Redis and
real PostgreSQL: separate OS processes hammer one limit, every start is recorded, and no sliding
one-second window may hold more than the limit, while throughput stays close to it."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from itertools import pairwise
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy import text

from casework.law.notices import NoticeChannel, NoticeKind
from casework.system.db import make_engine
from casework.system.migrate import upgrade_engine
from casework.system.settings import Settings
from gateway.providers import build_providers
from gateway.providers.base import GUARD, Outgoing
from gateway.providers.limits import (
    PostgresStore,
    RedisStore,
    SharedLimiter,
    Store,
    shared_limits,
)
from gateway.providers.twilio import TwilioProvider
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

REDIS_URL = os.environ.get("KOMEK_TEST_REDIS_URL")
PG_URL = os.environ.get("KOMEK_TEST_DATABASE_URL")
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter each, as real workers are
RUN = 3.0  # seconds each process sends for


def busiest(times: Iterable[float]) -> int:
    """The most starts in any sliding one-second window [t, t + 1)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def make_store(url: str) -> Store:
    if url.startswith("redis"):
        return RedisStore(Redis.from_url(url))
    return PostgresStore(make_engine(url, pool_size=2))


@pytest.fixture(params=["redis", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A Redis or a migrated PostgreSQL the processes share."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("KOMEK_TEST_REDIS_URL is not set")
        yield REDIS_URL
        return
    if not PG_URL:
        pytest.skip("KOMEK_TEST_DATABASE_URL is not set")
    engine = make_engine(PG_URL)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await upgrade_engine(engine)
    await engine.dispose()
    yield PG_URL


# ---------------------------------------------------------------- the processes


def _hammer(job: str, barrier: Barrier, results: Any, *args: Any) -> None:
    """One worker process: get ready, wait for the others, then send for RUN seconds."""
    results.put(asyncio.run(JOBS[job](barrier, *args)))


async def _one_key(barrier: Barrier, url: str, key: str, rate: float, senders: int) -> Any:
    limiter = SharedLimiter(make_store(url), key, rate)
    await limiter.store.take(key + ":warm", 1.0, 1)  # connected before the clock starts
    await asyncio.to_thread(barrier.wait)
    end, starts = time.time() + RUN, []

    async def sender() -> None:
        while time.time() < end:
            await limiter.wait()
            starts.append(time.time())

    await asyncio.gather(*(sender() for _ in range(senders)))
    await limiter.close()
    return starts


async def _chats(barrier: Barrier, url: str, key: str, senders: int, chats: int) -> Any:
    """Telegram's shape: 30/s for the bot and 1/s per chat. Half the senders write to one busy
    chat (0), the others to any of `chats`."""
    store = make_store(url)
    bot = SharedLimiter(store, key, 30)
    per_chat = {n: SharedLimiter(store, f"{key}:{n}", 1) for n in range(chats)}
    await store.take(key + ":warm", 1.0, 1)
    await asyncio.to_thread(barrier.wait)
    end, starts = time.time() + RUN, []

    async def sender(busy: bool) -> None:
        while time.time() < end:
            chat = 0 if busy else random.randrange(chats)
            await per_chat[chat].wait(within=bot)
            starts.append((time.time(), chat))

    await asyncio.gather(*(sender(busy=n % 2 == 0) for n in range(senders)))
    await store.close()
    return starts


async def _twilio(barrier: Barrier, config: dict[str, Any], count: int) -> Any:
    """A real TwilioProvider as build_providers makes it, sending `count` messages."""
    twilio = build_providers(Settings(_env_file=None, **config))[NoticeChannel.SMS]
    assert isinstance(twilio, TwilioProvider)
    # The library's client takes ~0.4 s to build on first use; built inside the first send, that
    # send would reach the fake long after its slot and bunch up with the next ones.
    assert twilio.client is not None
    await asyncio.to_thread(barrier.wait)
    queue = list(range(count))
    outcomes = []

    async def sender() -> None:
        while queue:
            n = queue.pop()
            message = Outgoing(n, n, NoticeKind.DECISION_GRANTED, "kk", f"+7701{n:07d}", "Шешім")
            await twilio.pace(message)
            outcomes.append((await twilio.send(message)).outcome.value)

    await asyncio.gather(*(sender() for _ in range(10)))
    await twilio.close()
    await twilio.limiter.close()
    return outcomes


JOBS: dict[str, Callable[..., Coroutine[Any, Any, Any]]] = {
    "one_key": _one_key,
    "chats": _chats,
    "twilio": _twilio,
}


async def run_processes(n: int, job: str, *args: Any) -> list[Any]:
    """`n` worker processes started together; what each returns."""
    barrier, results = SPAWN.Barrier(n), SPAWN.Queue()
    procs = [SPAWN.Process(target=_hammer, args=(job, barrier, results, *args)) for _ in range(n)]
    for p in procs:
        p.start()

    def collect() -> list[Any]:
        got = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        return got

    try:
        return await asyncio.to_thread(collect)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("processes", [1, 2, 4])
async def test_no_second_above_the_rate_with_any_number_of_workers(
    store_url: str, processes: int
) -> None:
    rate = 50
    runs = await run_processes(
        processes, "one_key", store_url, f"test:{uuid.uuid4().hex}", rate, 12 // processes
    )
    starts = sorted(t for run in runs for t in run)
    assert all(runs), "every process got to send"
    assert busiest(starts) <= rate
    # Not starved: close to the rate the whole time (GUARD keeps 5 % free).
    first = starts[0]
    sent = sum(1 for t in starts if t < first + RUN)
    assert sent >= 0.9 * rate * RUN / (1 + GUARD), sent


async def test_telegram_limits_hold_for_the_bot_and_each_chat(store_url: str) -> None:
    runs = await run_processes(4, "chats", store_url, f"telegram:{uuid.uuid4().hex}", 6, 1000)
    starts = [s for run in runs for s in run]
    assert busiest(t for t, _ in starts) <= 30
    by_chat: dict[int, list[float]] = defaultdict(list)
    for t, chat in starts:
        by_chat[chat].append(t)
    assert max(busiest(times) for times in by_chat.values()) == 1
    # The busy chat got a message about every 1.05 s, and its waiting cost the others nothing.
    assert len(by_chat[0]) >= RUN // (1 + GUARD)
    first = min(t for t, _ in starts)
    assert sum(1 for t, _ in starts if t < first + RUN) >= 0.85 * 30 * RUN / (1 + GUARD)


class RecordingTwilio(FakeTwilio):
    """The fake Twilio, noting when each request reached it."""

    arrivals: list[float]

    async def _create(self, request: web.Request) -> web.Response:
        self.arrivals.append(time.time())
        return await super()._create(request)


async def test_two_twilio_workers_keep_the_account_rate_at_the_provider(store_url: str) -> None:
    # A fresh account each run: the schedule an earlier run left must not slow this one.
    sid = ACCOUNT_SID[:-8] + uuid.uuid4().hex[:8]
    fake = RecordingTwilio(account_sid=sid)
    fake.arrivals = []
    await fake.start()
    rate, count = 20, 80
    settings = {
        "twilio_account_sid": sid,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from": "+15005550006",
        "twilio_api_base": fake.base_url,
        "twilio_rate_per_second": rate,
        # Redis when given; else the shared table in PostgreSQL.
        "redis_url": store_url if store_url.startswith("redis") else None,
        "database_url": store_url,
    }
    try:
        runs = await run_processes(2, "twilio", settings, count // 2)
    finally:
        await fake.stop()
    assert sorted(o for run in runs for o in run) == ["accepted"] * count
    assert len(fake.arrivals) == count
    arrivals = sorted(fake.arrivals)
    gaps_ms = [round((b - a) * 1000) for a, b in pairwise(arrivals)]
    assert busiest(arrivals) <= rate, gaps_ms
    # 80 messages at 20/s, one every 1.05 / 20 s in all: about 4 s, not much slower (a process
    # starting cold, a sender woken late taking a fresh slot).
    spread = max(fake.arrivals) - min(fake.arrivals)
    assert spread <= (count - 1) / rate * (1 + GUARD) * 1.25 + 0.5, spread


async def test_retry_after_pauses_every_worker(store_url: str) -> None:
    """One process hears "retry after 1 s": another, with its own connection, waits it out."""
    key = f"test:{uuid.uuid4().hex}"
    hearing, other = make_store(store_url), make_store(store_url)
    try:
        told = SharedLimiter(hearing, key, 100)
        await told.wait()
        told.pause(1.0)
        await asyncio.sleep(0.1)  # the pause reaches the store in the background
        waiting = SharedLimiter(other, key, 100)
        loop = asyncio.get_running_loop()
        began = loop.time()
        await waiting.wait()
        assert loop.time() - began >= 0.85
    finally:
        await hearing.close()
        await other.close()


async def test_store_down_paces_the_process_alone() -> None:
    """Redis unreachable: sends go on at this process's own rate, not unlimited, not stuck."""
    store = RedisStore(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    limiter = SharedLimiter(store, "down", 5)
    loop = asyncio.get_running_loop()
    starts = [await limiter.wait() for _ in range(7)]
    assert busiest(starts) <= 5
    assert starts[-1] - starts[0] >= 1.0
    assert loop.time() - starts[0] < 5
    await store.close()


def test_the_embedded_default_paces_in_process(tmp_path: Any) -> None:
    """SQLite without Redis: one worker, so no store; PostgreSQL or Redis: a shared one."""
    sqlite = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/k.db")
    assert shared_limits(sqlite).store is None
    pg = sqlite.model_copy(update={"database_url": "postgresql+asyncpg://u@h/db"})
    assert isinstance(shared_limits(pg).store, PostgresStore)
    redis = pg.model_copy(update={"redis_url": "redis://127.0.0.1:6379/4"})
    assert isinstance(shared_limits(redis).store, RedisStore)
