"""What every provider does: send one message, and say what its own statuses mean for us.

Each provider maps its vocabulary onto four outcomes; the worker turns outcomes into notice
statuses, retries and the print fallback, so no provider knows about the outbox.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Protocol

from casework.law.notices import NoticeChannel, NoticeKind, Outcome
from casework.tables.notices import ERROR_CODE_LENGTH

ERROR_MESSAGE_LENGTH = 500


class Outgoing(NamedTuple):
    """One message to send (immutable; a tuple because thousands are made a second)."""

    notice_id: int
    application_id: int
    kind: NoticeKind
    locale: str
    address: str
    text: str


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider_id: str | None = None
    provider_status: str | None = None
    # A short stable code for staff and queries ("forbidden", "21211", "timeout"); the details
    # (exception class, the provider's words) go in error_message.
    error_code: str | None = None
    error_message: str | None = None
    retry_after: float | None = None  # seconds the provider asked us to wait
    segments: int | None = None
    provider: str | None = None  # which provider answered (recorded per notice; failover)

    def __post_init__(self) -> None:
        # The one place a result is fitted to its columns, whichever provider made it.
        if self.error_code and len(self.error_code) > ERROR_CODE_LENGTH:
            object.__setattr__(self, "error_code", self.error_code[:ERROR_CODE_LENGTH])
        if self.error_message and len(self.error_message) > ERROR_MESSAGE_LENGTH:
            object.__setattr__(self, "error_message", self.error_message[:ERROR_MESSAGE_LENGTH])


def describe(exc: BaseException) -> str:
    """An exception for error_message: its class and its words."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Provider(ABC):
    name: ClassVar[str]
    channel: NoticeChannel = NoticeChannel.SMS
    # The provider's status words → our outcomes (delivery receipts, callbacks).
    STATUSES: ClassVar[Mapping[str, Outcome]] = {}

    @abstractmethod
    async def send(self, message: Outgoing) -> SendResult: ...

    async def pace(self, message: Outgoing) -> None:  # noqa: B027 (optional hook)
        """Wait until the provider's rate limits allow this message."""

    async def find_sent(self, message: Outgoing, since: datetime) -> SendResult | None:
        """Did an earlier send of this message reach the provider (a crash or a timeout left us
        without its answer)? Its result if so; None if the provider never took it, so sending
        again makes no duplicate. Raises when the provider cannot tell now (look again later).
        A provider that keeps no record to ask (the sandbox, Telegram) says None."""
        return None

    def map_status(self, status: str) -> Outcome | None:
        return self.STATUSES.get(status.lower())

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release connections."""


class Limiter(Protocol):
    """What a provider paces with: this process's `RateLimiter`, or one shared by every worker
    (gateway/providers/limits.py)."""

    async def wait(self, within: Any = None) -> float: ...

    def pause(self, seconds: float) -> None: ...

    def idle(self, now: float) -> bool: ...

    async def close(self) -> None: ...


class RateLimiter:
    """At most `rate` sends start in any sliding one-second window; 0 or less means no limit.

    It remembers when the last sends actually started (a deque of `capacity` times) and lets the
    next one go only once the oldest of them is a whole window old. A sender the event loop woke
    late therefore never counts as "on time": late wakers cannot bunch up into a burst, so the
    rate holds in every window, not just on average. A fractional rate is rounded down (12.5/s
    allows 12 in any second); below 1/s it is one send per 1/rate seconds.
    """

    # Callers note a start a few microseconds after the limiter does; a millisecond more keeps
    # their clocks inside the limit too.
    GUARD = 0.001

    def __init__(self, rate: float) -> None:
        self.capacity = (int(rate) if rate >= 1 else 1) if rate > 0 else 0
        self.window = (1.0 if rate >= 1 else 1.0 / rate) + self.GUARD if rate > 0 else 0.0
        self._starts: deque[float] = deque(maxlen=self.capacity or None)
        self._paused_until = 0.0
        self._turn = asyncio.Lock()  # waiters take turns, first come first served

    def ready_at(self) -> float:
        """The loop time from which one more send may start."""
        ready = self._paused_until
        if self.capacity and len(self._starts) == self.capacity:
            ready = max(ready, self._starts[0] + self.window)
        return ready

    def idle(self, now: float) -> bool:
        """Nothing to remember: nobody waits and its last start is a window old."""
        last = self._starts[-1] if self._starts else 0.0
        return not self._turn.locked() and self.ready_at() <= now and last + self.window <= now

    async def wait(self, within: RateLimiter | None = None) -> float:
        """Wait for a slot and take it; returns the loop time the send starts at.

        With `within` (a wider limit, e.g. a bot's overall rate around one chat's), the send
        starts when both allow it, and both note the same start time.
        """
        loop = asyncio.get_running_loop()
        if not self.capacity and self._paused_until <= loop.time():
            return await within.wait() if within is not None else loop.time()
        async with self._turn:
            await self._until_ready()
            return self._take(await within.wait() if within is not None else None)

    async def _until_ready(self) -> None:
        """Wait until a send may start, without taking the slot."""
        loop = asyncio.get_running_loop()
        # Timers may fire a hair early and `pause` may move the goal: check again after each sleep.
        while (delay := self.ready_at() - loop.time()) > 0:
            await asyncio.sleep(delay)

    def _take(self, at: float | None = None) -> float:
        """Note a send starting now (or at `at`, a start another limiter just granted)."""
        now = asyncio.get_running_loop().time() if at is None else at
        if self.capacity:
            self._starts.append(now)
        return now

    def pause(self, seconds: float) -> None:
        """The provider said "retry after": nobody sends on this limiter until then."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def close(self) -> None:
        """Nothing to release: its state is in this process."""
