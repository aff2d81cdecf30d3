"""Messages that reach us from outside, each acted on once: an SMS by its provider's id, a
Telegram update by its `update_id`. Providers retry what they think failed, and a signed message
can be replayed: the first delivery acts, the later ones get its answer and change nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from casework.tables.inbound import InboundMessage

INBOUND: Table = InboundMessage.__table__  # type: ignore[assignment]

# The claim in each dialect's words, built once: every Telegram update and SMS runs it.
_ROW: dict[str, Any] = {
    name: bindparam(name) for name in ("provider", "message_id", "reply", "received_at")
}
_KEY = ["provider", "message_id"]
_CLAIM = {
    "postgresql": postgresql.insert(INBOUND)
    .values(_ROW)
    .on_conflict_do_nothing(index_elements=_KEY),
    "sqlite": sqlite.insert(INBOUND).values(_ROW).on_conflict_do_nothing(index_elements=_KEY),
}


async def claim(session: AsyncSession, *, provider: str, message_id: str, at: datetime) -> bool:
    """True for the first delivery of a message, False for any later one.

    Written in the caller's transaction, before the work it guards: if that work fails, both
    roll back and a retry is handled again. A copy arriving at the same moment waits on the
    unique key until the first commits, then finds it there (one statement, no error to catch).
    """
    row = {"provider": provider, "message_id": message_id, "reply": "", "received_at": at}
    stmt = _CLAIM[session.get_bind().dialect.name]
    result = cast(CursorResult[Any], await session.execute(stmt, row))
    return result.rowcount == 1


async def answered(session: AsyncSession, *, provider: str, message_id: str, reply: str) -> None:
    """Keep what we answered a claimed message: a later delivery of it gets the same words."""
    await session.execute(
        update(INBOUND)
        .where(INBOUND.c.provider == provider, INBOUND.c.message_id == message_id)
        .values(reply=reply)
    )


async def earlier_answer(session: AsyncSession, *, provider: str, message_id: str) -> str:
    """What we answered when this message first came."""
    stmt = select(INBOUND.c.reply).where(
        INBOUND.c.provider == provider, INBOUND.c.message_id == message_id
    )
    return await session.scalar(stmt) or ""
