"""What every provider does: send one message, and say what its own statuses mean for us.

Each provider maps its vocabulary onto four outcomes; the worker turns outcomes into notice
statuses, retries and the print fallback, so no provider knows about the outbox.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from casework.notices import NoticeKind
from casework.outbox import NoticeChannel


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # the provider took it; a delivery receipt may follow
    DELIVERED = "delivered"  # it reached the applicant
    TRANSIENT = "transient"  # try again later (timeouts, 5xx, rate limits)
    PERMANENT = "permanent"  # will never work for this recipient: fall back to print


@dataclass(frozen=True)
class Outgoing:
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
    error_code: str | None = None
    error_message: str | None = None
    retry_after: float | None = None  # seconds the provider asked us to wait
    segments: int | None = None


class Provider(ABC):
    name: ClassVar[str]
    channel: NoticeChannel = NoticeChannel.SMS
    # The provider's status words → our outcomes (delivery receipts, callbacks).
    STATUSES: ClassVar[Mapping[str, Outcome]] = {}

    @abstractmethod
    async def send(self, message: Outgoing) -> SendResult: ...

    async def pace(self, message: Outgoing) -> None:  # noqa: B027 (optional hook)
        """Wait until the provider's rate limits allow this message."""

    def map_status(self, status: str) -> Outcome | None:
        return self.STATUSES.get(status.lower())

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release connections."""


class RateLimiter:
    """Evenly spaced slots, `rate` per second; 0 or less means no limit."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self.interval and not self._next:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """The provider said "retry after": nobody sends on this limiter until then."""
        loop = asyncio.get_running_loop()
        self._next = max(self._next, loop.time() + seconds)
