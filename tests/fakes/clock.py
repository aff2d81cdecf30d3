"""A clock for tests and replays: stands still until moved."""

from __future__ import annotations

from datetime import UTC, datetime


class FixedClock:
    """A clock for tests and replays: stands still until moved."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)
