"""Test data every suite shares: valid IINs and phones by number, local Almaty times, and a
filing taken in signed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from casework.law.identity import iin_check_digit
from casework.law.rules import Channel
from casework.steps import intake, signing

ALMATY = ZoneInfo("Asia/Almaty")


def local(*args: int) -> datetime:
    """A moment on the district's wall clock: local(2026, 3, 20, 19) is Friday 19:00 in Almaty."""
    return datetime(*args, tzinfo=ALMATY)  # type: ignore[misc]


def iin_for(n: int) -> str:
    """A valid IIN (born in March 1985), distinct for every n below 27,000."""
    day, n = 2 + n // 999, n % 999
    for serial in range(n * 10, n * 10 + 10):
        body = f"8503{day:02d}4{serial:04d}"
        if (check := iin_check_digit(body)) is not None:
            return body + str(check)
    raise ValueError(n)


def phone_for(n: int) -> str:
    """A Kazakhstan mobile number, distinct for every n, none of them a sandbox magic number."""
    return f"+7705{n:07d}"


async def take_in_signed(session: Any, env: Any, app: Any, *, actor: str) -> bool:
    """A filing taken in as the law has it: a bot filing signed first (SR §6; here at the desk,
    the bot's own code path is tested in tests/bot)."""
    if app.channel is Channel.BOT:
        await signing.sign_in_person(session, env, app, actor="test")
    return await intake.take_in(session, env, app, actor=actor)
