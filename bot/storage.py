"""Where a chat's position is kept: our database by default, Redis when several bots share it.

The SQL storage writes through the update's own database session when there is one (see
`bot.middlewares`), so an answer saved to the draft and the new position commit together; on
SQLite a second connection would also wait on the first one's write lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.system.clock import Clock, SystemClock
from casework.tables.conversations import Conversation

# The session of the update being handled, set by the database middleware.
current_session: ContextVar[AsyncSession | None] = ContextVar("komek_bot_session", default=None)


class SQLStorage(BaseStorage):
    """aiogram FSM storage on the `conversations` table."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock | None = None
    ) -> None:
        self.sessions = sessions
        self.clock = clock or SystemClock()
        # aiogram-dialog keeps its stacks and contexts under their own destinies.
        self.keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def _write(self, key: StorageKey, **values: Any) -> None:
        session = current_session.get()
        if session is not None:
            await self._upsert(session, key, values)
            return
        async with self.sessions() as own, own.begin():
            await self._upsert(own, key, values)

    async def _upsert(self, session: AsyncSession, key: StorageKey, values: dict[str, Any]) -> None:
        row = await session.get(Conversation, self.keys.build(key))
        if row is None:
            row = Conversation(key=self.keys.build(key), state=None, data={})
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = self.clock.now()
        await session.flush()

    async def _read(self, key: StorageKey) -> Conversation | None:
        session = current_session.get()
        if session is not None:
            return await session.get(Conversation, self.keys.build(key))
        async with self.sessions() as own:
            return await own.get(Conversation, self.keys.build(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        # A fresh dict: the JSON column notices replacement, not in-place mutation.
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        return None


def make_storage(
    sessions: async_sessionmaker[AsyncSession], redis_url: str | None, *, clock: Clock | None = None
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis for several bot replicas (with its shared lock); else our database and a local lock."""
    if redis_url:
        storage = RedisStorage.from_url(
            redis_url, key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        )
        return storage, storage.create_isolation()
    return SQLStorage(sessions, clock=clock), SimpleEventIsolation()
