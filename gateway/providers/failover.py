"""Several SMS providers in priority order, with traffic moved off one that keeps failing.

As GOV.UK Notify does it: Notify lowers a failing or slow SMS provider's priority (at most once
in a while, so one bad minute does not flap it) and later moves priorities back to their resting
points. Here each provider's recent results are kept in a sliding window; when its share of
errors passes the threshold it is deprioritised and messages go to the next provider. After
`probe_after` seconds one message goes to it again as a probe: a success restores it to its
place, a failure keeps it down for another period. The health is this process's own: each worker
finds out for itself, within `min_results` sends.

A message is sent by one provider per call, never tried on a second one within the call: a
timeout or a 5xx does not prove the first provider did not take it, and the worker's retry (with
its reconciliation through find_sent) is the one place that decides to send again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from casework.law.notices import NoticeChannel
from gateway.providers.base import Outcome, Outgoing, Provider, SendResult

log = logging.getLogger(__name__)


@dataclass
class Health:
    """One provider's recent results: (time, failed), the last `size` of them."""

    size: int
    results: deque[tuple[float, bool]] = field(default_factory=deque)
    down_until: float | None = None  # deprioritised until then; a probe may go after it
    probing: bool = False

    def note(self, at: float, failed: bool) -> None:
        self.results.append((at, failed))
        while len(self.results) > self.size:
            self.results.popleft()

    def error_rate(self, now: float, window: float) -> tuple[float, int]:
        """The share of failures among the results of the last `window` seconds, and their count."""
        recent = [failed for at, failed in self.results if at >= now - window]
        return (sum(recent) / len(recent) if recent else 0.0), len(recent)


class FailoverProvider(Provider):
    name: ClassVar[str] = "failover"
    channel = NoticeChannel.SMS

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        threshold: float = 0.5,  # share of failures that deprioritises a provider
        min_results: int = 5,  # ... among at least this many recent results
        window: float = 60.0,  # seconds of results that count
        probe_after: float = 30.0,  # seconds before a deprioritised provider gets a probe
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not providers:
            raise ValueError("failover needs at least one provider")
        self.providers = list(providers)
        self.threshold, self.min_results = threshold, min_results
        self.window, self.probe_after, self.clock = window, probe_after, clock
        self.health = {p.name: Health(size=max(4 * min_results, 50)) for p in self.providers}
        # The provider `pace` chose for a notice, so `send` uses the one whose rate it waited for.
        self._chosen: dict[int, Provider] = {}

    # ------------------------------------------------------------------ choosing

    def choose(self) -> Provider:
        """The first provider in priority order that is up, or due a probe; when every one is
        down, the first (the worker's backoff paces the retries)."""
        now = self.clock()
        for provider in self.providers:
            health = self.health[provider.name]
            if health.down_until is None:
                return provider
            if now >= health.down_until and not health.probing:
                health.probing = True  # one probe at a time
                log.info("sms provider %s: probing", provider.name)
                return provider
        return self.providers[0]

    def ranking(self) -> list[str]:
        """The providers' names as traffic would go now (for operators and metrics)."""
        up = [p.name for p in self.providers if self.health[p.name].down_until is None]
        return up + [p.name for p in self.providers if p.name not in up]

    @property
    def limiter(self) -> object:
        """The rate of the provider traffic goes to now (the worker claims what it can send)."""
        first = next(p for p in self.providers if p.name == self.ranking()[0])
        return getattr(first, "limiter", None)

    def error_rate(self, name: str) -> float:
        return self.health[name].error_rate(self.clock(), self.window)[0]

    def _note(self, provider: Provider, result: SendResult) -> None:
        now = self.clock()
        health = self.health[provider.name]
        # A permanent failure is about the recipient (an invalid number), not the provider.
        failed = result.outcome is Outcome.TRANSIENT
        health.note(now, failed)
        was_probe, health.probing = health.probing, False
        if health.down_until is not None:
            if was_probe and not failed:
                health.down_until = None
                health.results.clear()  # a fresh start: old failures no longer count
                log.warning("sms provider %s recovered: traffic moves back", provider.name)
            elif was_probe:
                health.down_until = now + self.probe_after
            return
        rate, count = health.error_rate(now, self.window)
        if count >= self.min_results and rate >= self.threshold:
            health.down_until = now + self.probe_after
            log.warning(
                "sms provider %s deprioritised: %.0f%% of its last %d results failed",
                provider.name,
                100 * rate,
                count,
            )

    # ------------------------------------------------------------------ the Provider interface

    async def pace(self, message: Outgoing) -> None:
        provider = self._chosen[message.notice_id] = self.choose()
        await provider.pace(message)

    async def send(self, message: Outgoing) -> SendResult:
        provider = self._chosen.pop(message.notice_id, None) or self.choose()
        try:
            result = await provider.send(message)
        except Exception:
            self._note(provider, SendResult(Outcome.TRANSIENT))
            raise
        self._note(provider, result)
        return _named(result, provider)

    async def find_sent(self, message: Outgoing, since: datetime) -> SendResult | None:
        """Whichever provider has the message; None only when none of them does. Raises when one
        cannot tell now: the message may be there, so it must not be sent again yet."""
        for provider in self.providers:
            found = await provider.find_sent(message, since)
            if found is not None:
                return _named(found, provider)
        return None

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for p in self.providers), return_exceptions=True)


def _named(result: SendResult, provider: Provider) -> SendResult:
    """The result with the provider that answered, for notices.provider."""
    return result if result.provider else dataclasses.replace(result, provider=provider.name)
