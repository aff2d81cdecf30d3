"""Where a chat's position is kept: our database by default, Redis when several bots share it.

The SQL storage writes through the update's own database session when there is one (see
`bot.middlewares`), so an answer saved to the draft and the new position commit together; on
SQLite a second connection would also wait on the first one's write lock.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import replace
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
from aiogram_dialog.api.entities import DEFAULT_STACK_ID
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.system.clock import Clock, SystemClock
from casework.tables.conversations import Conversation

# Where aiogram-dialog keeps a private chat's stack of windows (its StorageProxy._stack_key).
STACK_DESTINY = f"aiogd:stack:{DEFAULT_STACK_ID}"

# A chat's own row and its aiogram-dialog stack, built once (every update reads them).
_OWN_AND_STACK = select(Conversation).where(
    Conversation.key.in_((bindparam("own"), bindparam("stack")))
)

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
        row = await _get(session, self.keys.build(key))
        if row is None:
            row = Conversation(key=self.keys.build(key), state=None, data={})
            session.add(row)
            _held(session)[row.key] = row
        elif all(getattr(row, name) == value for name, value in values.items()):
            return  # aiogram-dialog saves what it loaded: no write for an unchanged position
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = self.clock.now()
        # No flush here: the commit writes the rows together (the context and the stack at once).

    async def _read(self, key: StorageKey) -> Conversation | None:
        session = current_session.get()
        if session is not None:
            return await _get(session, self.keys.build(key))
        async with self.sessions() as own:
            return await own.get(Conversation, self.keys.build(key))

    async def prefetch(self, key: StorageKey) -> None:
        """The chat's own row and its aiogram-dialog stack in one query: every update reads both
        (the stack then names the window's context, read next)."""
        session = current_session.get()
        if session is None:
            return
        keys = {
            "own": self.keys.build(key),
            "stack": self.keys.build(replace(key, destiny=STACK_DESTINY)),
        }
        held = _held(session)
        for row in await session.scalars(_OWN_AND_STACK, keys):
            held[row.key] = row
        for name in keys.values():
            held.setdefault(name, None)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        # A copy: the JSON column notices replacement, not in-place mutation, and aiogram-dialog
        # goes on changing the lists and dicts it hands over (a held row must not follow them).
        await self._write(key, data=copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return copy.deepcopy(row.data) if row and row.data else {}

    async def close(self) -> None:
        return None


def _held(session: AsyncSession) -> dict[str, Conversation | None]:
    """The update's conversation rows, held for as long as its session: the identity map keeps
    rows only weakly, and aiogram-dialog reads and writes each one several times per update."""
    held: dict[str, Conversation | None] = session.info.setdefault("komek_conversations", {})
    return held


async def _get(session: AsyncSession, key: str) -> Conversation | None:
    held = _held(session)
    if key not in held:
        held[key] = await session.get(Conversation, key)
    return held[key]


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
