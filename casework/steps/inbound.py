"""Messages that reach us from outside, each acted on once: an SMS by its provider's id, a
Telegram update by its `update_id`. Providers retry what they think failed, and a signed message
can be replayed: the first delivery acts, the later ones get its answer and change nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from casework.tables.inbound import InboundMessage


async def earlier_answer(session: AsyncSession, *, provider: str, message_id: str) -> str | None:
    """What we answered when this message first came, if it came before."""
    stmt = select(InboundMessage.reply).where(
        InboundMessage.provider == provider, InboundMessage.message_id == message_id
    )
    return await session.scalar(stmt)


async def remember(
    session: AsyncSession, *, provider: str, message_id: str, reply: str, at: datetime
) -> None:
    """Keep the message's id with our answer, in the caller's transaction."""
    session.add(
        InboundMessage(provider=provider, message_id=message_id, reply=reply, received_at=at)
    )
    await session.flush()


async def first_delivery(
    session: AsyncSession, *, provider: str, message_id: str, at: datetime
) -> bool:
    """True the first time a message is handled, False for a delivery of it again. Written in the
    caller's transaction before the work it guards: a failure rolls both back, so a retry after
    a failure is handled again."""
    if await earlier_answer(session, provider=provider, message_id=message_id) is not None:
        return False
    try:  # a delivery of it at this very moment: the savepoint keeps the caller's transaction
        async with session.begin_nested():
            await remember(session, provider=provider, message_id=message_id, reply="", at=at)
    except IntegrityError:
        return False
    return True
