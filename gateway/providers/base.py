"""What every provider does: send one message, and say what its own statuses mean for us.

Each provider maps its vocabulary onto four outcomes; the worker turns outcomes into notice
statuses, retries and the print fallback, so no provider knows about the outbox.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
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

    rate: float  # sends a second; 0 or less: no limit

    async def wait(self, within: Any = None) -> float: ...

    def pause(self, seconds: float) -> None: ...

    def idle(self, now: float) -> bool: ...

    async def close(self) -> None: ...


# Seconds of every limit period left unused: the room late or jittery sends need. A loaded worker
# (a busy event loop, the provider library's own work, a new connection) reaches the provider up
# to tens of milliseconds after its start; 5 % of the rate buys that room.
GUARD = 0.05
LATE = 0.02  # a send starting later than this after its slot starts a new schedule


def interval(rate: float) -> float:
    """Seconds between slots for `rate` sends a second (0: no limit). A fractional rate is
    rounded down (12.5/s allows 12 in any second); below 1/s it is one send per 1/rate s."""
    if rate <= 0:
        return 0.0
    if rate < 1:
        return 1.0 / rate + GUARD
    return (1.0 + GUARD) / int(rate)


class RateLimiter:
    """At most `rate` sends start in any one-second window, evenly spaced; 0 or less: no limit.

    Slots are `interval(rate)` apart, so any window of 1 s + GUARD holds at most `rate` of them.
    A send starting up to LATE after its slot keeps the schedule; one the event loop woke later
    starts a new schedule from its own start, so late wakers never catch up in a burst. What is
    left of GUARD absorbs the jitter between a start and its arrival at the provider: one
    process's second never reaches the provider as a burst (issue 11: 60 in a second at 40/s
    when a second's sends all started together).
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.every = interval(rate)
        self._next = 0.0  # the loop time of the next slot
        self._paused_until = 0.0
        self._turn = asyncio.Lock()  # waiters take turns, first come first served

    def ready_at(self) -> float:
        """The loop time from which one more send may start."""
        return max(self._next, self._paused_until)

    def idle(self, now: float) -> bool:
        """Nothing to remember: nobody waits and the next slot has come."""
        return not self._turn.locked() and self.ready_at() <= now

    async def wait(self, within: RateLimiter | None = None) -> float:
        """Wait for a slot and take it; returns the loop time the send starts at.

        With `within` (a wider limit, e.g. a bot's overall rate around one chat's), the send
        starts when both allow it, and both note the same start time.
        """
        loop = asyncio.get_running_loop()
        if not self.every and self._paused_until <= loop.time():
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
        if self.every:
            slot = now if now - self._next > LATE else self._next
            self._next = slot + self.every
        return now

    def pause(self, seconds: float) -> None:
        """The provider said "retry after": nobody sends on this limiter until then."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def close(self) -> None:
        """Nothing to release: its state is in this process."""
