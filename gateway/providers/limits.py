"""Send rates that hold across every worker process: a provider's limit is per account, not per
process, so two workers at "100/s" each must still send 100/s in all.

The schedule lives where every worker sees it: in Redis when KOMEK_REDIS_URL is set, else in
PostgreSQL (table `rate_limits`, function `rate_take`, migration 0018); on SQLite the single
embedded worker keeps the in-process `RateLimiter`. Each key (a Twilio account, a bot, one chat)
holds the earliest moment its next send may start, on the store's own clock; a take is one atomic
step there (a Lua script, one function call) that hands out the next slots and moves that moment
on. Slots are `(1 s + GUARD) / rate` apart, so any window of 1 s + GUARD holds at most `rate` of
them: a send that starts up to LATE after its slot, and reaches the provider with up to
GUARD - LATE more jitter than the others, still leaves every one-second window at the provider
within the limit. A sender that would start later than LATE gives its slot up and takes another,
so late wakers never bunch up into a burst; a chat's slot given up so is handed back, so the
chat need not wait a whole second more. Slots are mapped onto this process's clock through the
quickest recent round trip (`Offset`), so a slow answer from a loaded store costs nothing when
its slot still lies ahead.

Cost: one round trip per take, and concurrent senders of one process waiting on one key share a
take (a batch of consecutive slots), so a busy lane pays well under one round trip a message.
Chat messages take one each (a chat and its bot in one step). "Retry after" moves the key's
moment on for everyone. If the store is unreachable a process paces itself alone (and says so)
rather than stop delivering: the provider's 429 answers then pause it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from casework.system.db import make_engine
from casework.system.settings import Settings
from gateway.providers.base import LATE, Limiter, RateLimiter, interval

if TYPE_CHECKING:  # redis is imported only when configured: a tenth of a second at start
    from redis.asyncio import Redis

log = logging.getLogger("komek.limits")


class Taken(NamedTuple):
    granted: bool
    delay: float  # seconds from `now` to the first slot (not granted: until the key is ready)
    mark: Any  # what the take left on the key, to give back if the slot goes unused
    now: float  # the store's clock when it answered


class Offset:
    """This process's loop clock minus the store's clock, as tightly as recent takes bound it.

    The store read its clock somewhere between our request and its answer, so each take bounds
    the offset to an interval as wide as its round trip; intersecting recent ones keeps it as
    narrow as the quickest. A slow answer (a loaded database) then still maps a future slot onto
    our clock to within a millisecond or so, instead of costing the slot.
    """

    def __init__(self, memory: float = 10.0) -> None:
        self.memory = memory  # seconds a bound is trusted (clocks drift, and may be stepped)
        self._low, self._high, self._since = 0.0, float("inf"), float("-inf")

    def note(self, asked: float, answered: float, store_now: float) -> tuple[float, float]:
        low, high = asked - store_now, answered - store_now
        if answered - self._since > self.memory or max(low, self._low) > min(high, self._high):
            self._low, self._high, self._since = low, high, answered
        elif low > self._low or high < self._high:  # a tighter bound: trusted for longer
            self._low, self._high = max(low, self._low), min(high, self._high)
            self._since = answered
        return self._low, self._high


class Store(ABC):
    """Where the shared schedule lives."""

    offset: Offset
    errors: tuple[type[Exception], ...]  # what an unreachable store raises

    @abstractmethod
    async def take(
        self,
        key: str,
        every: float,
        count: int,
        wider: tuple[str, float] | None = None,
        give_back: Any = None,
    ) -> Taken:
        """Take `count` consecutive slots `every` seconds apart on `key` (with `wider`, one slot
        that is also the wider key's next). Returns (granted, seconds from now to the first
        slot, a mark, the store's clock); not granted: seconds until `key` is ready, ask again
        then. `give_back`,
        the mark of a slot this sender never used, returns it to `key` if nobody took the next
        one since (a chat's slot given up by a late sender, so it need not wait a whole second).
        """

    @abstractmethod
    async def push(self, key: str, seconds: float) -> None:
        """No slot on `key` starts before `seconds` from now (the provider said retry after)."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections (a later take opens them again)."""


# KEYS[1] the key; KEYS[2] a wider key (a bot around one chat). ARGV: interval, count, the wider
# key's interval, a mark to give back. Numbers go back as strings: Redis would cut a Lua number
# to an integer.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local clock = string.format('%.6f', now)
local function set(key, at)
  local mark = string.format('%.6f', at)
  redis.call('SET', key, mark, 'PX', math.ceil((at - now) * 1000) + 1000)
  return mark
end
local held = redis.call('GET', KEYS[1])
local own = tonumber(held or '0')
if held and held == ARGV[4] then own = own - tonumber(ARGV[1]) end
local start = math.max(now, own)
if #KEYS == 2 then
  local wider = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
  if wider < own then return {0, string.format('%.6f', own - now), '', clock} end
  start = wider
  set(KEYS[2], start + tonumber(ARGV[2]) * tonumber(ARGV[3]))
end
local mark = set(KEYS[1], start + tonumber(ARGV[2]) * tonumber(ARGV[1]))
return {1, string.format('%.6f', start - now), mark, clock}
"""
_PUSH = """
local t = redis.call('TIME')
local pause = tonumber(ARGV[1])
local at = tonumber(t[1]) + tonumber(t[2]) / 1000000 + pause
if at > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', at), 'PX', math.ceil(pause * 1000) + 1000)
end
"""


class RedisStore(Store):
    def __init__(self, redis: Redis, prefix: str = "komek:rate:") -> None:
        from redis.exceptions import RedisError

        self.redis, self.prefix = redis, prefix
        self.offset = Offset()
        self.errors = (RedisError, OSError)
        self._take = redis.register_script(_TAKE)
        self._push = redis.register_script(_PUSH)

    async def take(
        self,
        key: str,
        every: float,
        count: int,
        wider: tuple[str, float] | None = None,
        give_back: Any = None,
    ) -> Taken:
        keys = [self.prefix + key] + ([self.prefix + wider[0]] if wider else [])
        args = [every, count, wider[1] if wider else 0, give_back or ""]
        granted, delay, mark, now = await self._take(keys=keys, args=args)
        return Taken(bool(granted), float(delay), mark, float(now))

    async def push(self, key: str, seconds: float) -> None:
        await self._push(keys=[self.prefix + key], args=[seconds])

    async def close(self) -> None:
        await self.redis.aclose()


class PostgresStore(Store):
    def __init__(self, engine: AsyncEngine) -> None:
        # Autocommit: the function call is the whole transaction, one round trip with no BEGIN.
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.offset = Offset()
        self.errors = (DBAPIError, OSError)

    async def take(
        self,
        key: str,
        every: float,
        count: int,
        wider: tuple[str, float] | None = None,
        give_back: Any = None,
    ) -> Taken:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT granted, delay, mark, at FROM rate_take(:k, :i, :n, "
                        "CAST(:wk AS text), CAST(:wi AS float8), CAST(:gb AS float8))"
                    ),
                    {
                        "k": key,
                        "i": every,
                        "n": count,
                        "wk": wider[0] if wider else None,
                        "wi": wider[1] if wider else None,
                        "gb": give_back,
                    },
                )
            ).one()
        return Taken(bool(row.granted), float(row.delay), row.mark, float(row.at))

    async def push(self, key: str, seconds: float) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(
                text(
                    "INSERT INTO rate_limits AS r (key, next_at) "
                    "VALUES (:k, extract(epoch FROM clock_timestamp()) + :s) "
                    "ON CONFLICT (key) DO UPDATE "
                    "SET next_at = greatest(r.next_at, excluded.next_at)"
                ),
                {"k": key, "s": seconds},
            )

    async def close(self) -> None:
        await self.engine.dispose()


Slot = tuple[float, float]  # the earliest and the latest loop time a slot can begin at


class SharedLimiter:
    """`RateLimiter`'s interface over a shared store: at most `rate` sends start in any
    one-second window across every process taking on `key`."""

    def __init__(self, store: Store, key: str, rate: float) -> None:
        self.store, self.key, self.rate = store, key, rate
        self.every = interval(rate)
        self._paused_until = 0.0  # loop time; this process's copy of a shared pause
        self._queue: list[asyncio.Future[Slot]] = []  # senders waiting for the next take
        self._taking: asyncio.Task[None] | None = None
        self._waiting = 0
        self._fallback = RateLimiter(rate)  # while the store cannot be reached
        self._warned = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    def idle(self, now: float) -> bool:
        return not self._waiting and self._paused_until <= now

    async def wait(self, within: SharedLimiter | None = None) -> float:
        """Wait for a slot and take it; returns the loop time the send starts at. With `within`
        (a bot's rate around one chat's) the start fits both, taken in one step."""
        loop = asyncio.get_running_loop()
        if within is not None and not within.every:
            within = None
        if not self.every:
            return await within.wait() if within is not None else loop.time()
        self._waiting += 1
        give_back = None  # the mark of a chat slot this sender took but could not use
        slot: Slot | None
        try:
            while True:
                await self._until_unpaused(within)
                try:
                    if within is None:
                        slot = await self._take()
                    else:
                        slot, give_back = await self._take_with(within, give_back)
                except self.store.errors as exc:
                    self._warn(exc)
                    fallback = within._fallback if within is not None else None
                    return await self._fallback.wait(within=fallback)
                if slot is None:
                    continue  # this key was not ready: asked again once it is
                # The store's clock read the slot somewhere between our request and its answer:
                # start no earlier than the latest it can be, count lateness from the earliest.
                earliest, latest = slot
                while (delay := latest - loop.time()) > 0:
                    await asyncio.sleep(delay)
                now = loop.time()
                if self._paused(now, within):
                    continue  # the provider said "retry after" while we slept: a fresh slot
                if now - earliest <= LATE:
                    return now
                # Woken (or answered) too late: starting now could bunch up with the next slots.
        finally:
            self._waiting -= 1

    def pause(self, seconds: float) -> None:
        """The provider said "retry after": nobody, in any process, sends on this key until then."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)
        self._fallback.pause(seconds)
        task = loop.create_task(self._push(seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        await self.store.close()

    def _paused(self, now: float, within: SharedLimiter | None) -> bool:
        return self._paused_until > now or (within is not None and within._paused_until > now)

    async def _until_unpaused(self, within: SharedLimiter | None) -> None:
        loop = asyncio.get_running_loop()
        while self._paused(now := loop.time(), within):
            until = max(self._paused_until, within._paused_until if within else 0.0)
            await asyncio.sleep(until - now)

    async def _push(self, seconds: float) -> None:
        try:
            await self.store.push(self.key, seconds)
        except self.store.errors as exc:
            self._warn(exc)

    async def _take(self) -> Slot:
        """This sender's slot; senders waiting together share one take."""
        future: asyncio.Future[Slot] = asyncio.get_running_loop().create_future()
        self._queue.append(future)
        if self._taking is None:
            self._taking = asyncio.create_task(self._take_for_queue())
        return await future

    async def _take_for_queue(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                asked = loop.time()
                try:
                    taken = await self.store.take(self.key, self.every, len(batch))
                except self.store.errors as exc:
                    for future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                low, high = self.store.offset.note(asked, loop.time(), taken.now)
                for i, future in enumerate(batch):
                    if not future.done():
                        at = taken.now + taken.delay + i * self.every
                        future.set_result((at + low, at + high))
        finally:
            self._taking = None

    async def _take_with(self, within: SharedLimiter, give_back: Any) -> tuple[Slot | None, Any]:
        """One slot on this key and `within` together; and what to give back if it goes unused."""
        loop = asyncio.get_running_loop()
        asked = loop.time()
        taken = await self.store.take(
            self.key, self.every, 1, wider=(within.key, within.every), give_back=give_back
        )
        if taken.granted:
            low, high = self.store.offset.note(asked, loop.time(), taken.now)
            at = taken.now + taken.delay
            return (at + low, at + high), taken.mark
        await asyncio.sleep(taken.delay)
        return None, give_back

    def _warn(self, exc: BaseException) -> None:
        if time.monotonic() - self._warned > 60:
            self._warned = time.monotonic()
            log.warning(
                "shared rate limit %s unavailable (%s): pacing this process alone", self.key, exc
            )


class Limits:
    """Makes the limiters for one process: shared through `store`, or in-process without one."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store

    def limiter(self, key: str, rate: float) -> Limiter:
        if self.store is None:
            return RateLimiter(rate)
        return SharedLimiter(self.store, key, rate)

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()


def shared_limits(settings: Settings) -> Limits:
    """Redis when configured, else PostgreSQL; in-process on SQLite (one embedded worker)."""
    if settings.redis_url:
        from redis.asyncio import Redis

        return Limits(RedisStore(Redis.from_url(settings.redis_url)))
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        return Limits(PostgresStore(make_engine(settings.database_url, pool_size=2)))
    return Limits()
