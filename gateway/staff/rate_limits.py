"""Per-token rate limits on the staff API: one token bucket per staff member.

A clerk clicking through cases never comes near the default (600 a minute, bursts of 120); a
script walking the lookup (today's attack: ~500 lookups recover a masked IIN) does. In-process by
default; with KOMEK_REDIS_URL every replica draws from one bucket in Redis (a Lua script keeps
the read-refill-take atomic). If Redis fails, the replica falls back to its own bucket rather than
refusing staff work or letting everything through.

A token bucket is twenty lines over the redis-py client the bot already has; a library (`limits`)
would add a dependency and its own storage layer for no behaviour we need.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("komek.staff")


class RateSettings(BaseSettings):
    """KOMEK_STAFF_RATE_PER_MINUTE and KOMEK_STAFF_RATE_BURST."""

    model_config = SettingsConfigDict(env_prefix="KOMEK_STAFF_", env_file=".env", extra="ignore")

    rate_per_minute: float = 600.0
    rate_burst: int = 120


class Limiter(Protocol):
    async def take(self, key: str) -> float:
        """Take one request from `key`'s bucket: 0 when allowed, else seconds until it would be."""
        ...


class TokenBuckets:
    """In-process buckets: `burst` requests at once, refilled at `per_minute`."""

    def __init__(
        self, *, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    async def take(self, key: str) -> float:
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


# The same arithmetic as TokenBuckets, on Redis' own clock so replicas agree. The wait comes back
# as a string: Redis would truncate a Lua number to an integer.
_TAKE = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(held[1]) or burst
local at = tonumber(held[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisBuckets:
    """Buckets shared by every replica through Redis; its own buckets while Redis is down."""

    def __init__(self, redis: Redis, *, per_minute: float, burst: int, prefix: str) -> None:
        from redis.exceptions import RedisError

        self.errors = (RedisError, OSError)
        self.redis, self.prefix = redis, prefix
        self.rate, self.burst = per_minute / 60.0, burst
        self._script = redis.register_script(_TAKE)
        self._fallback = TokenBuckets(per_minute=per_minute, burst=burst)

    async def take(self, key: str) -> float:
        try:
            wait = await self._script(keys=[self.prefix + key], args=[self.rate, self.burst])
        except self.errors as exc:
            log.warning("staff rate limit: Redis unavailable (%s), using this process's", exc)
            return await self._fallback.take(key)
        return float(wait)


def make_limiter(redis_url: str | None, rates: RateSettings | None = None) -> Limiter:
    rates = rates or RateSettings()
    if redis_url:
        from redis.asyncio import Redis  # only when configured: a tenth of a second at start

        return RedisBuckets(
            Redis.from_url(redis_url),
            per_minute=rates.rate_per_minute,
            burst=rates.rate_burst,
            prefix="komek:staff-rate:",
        )
    return TokenBuckets(per_minute=rates.rate_per_minute, burst=rates.rate_burst)
