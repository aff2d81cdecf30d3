"""One database transaction per update, the applicant, and their language, for every handler.

It also does the work of aiogram's FSM middleware (the dispatcher is built without it), inside
the update's session: the chat's state is then read on the update's own connection, not on a
second one opened for that single read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.storage import SQLStorage, current_session
from casework.steps.accounts import account_holder
from casework.steps.inbound import claim
from casework.system.runtime import Runtime
from casework.texts.i18n import LOCALES


class CaseworkMiddleware(BaseMiddleware):
    """Opens the update's unit of work; the FSM storage writes through it too (bot.storage)."""

    def __init__(self, runtime: Runtime, fsm: FSMContextMiddleware | None = None) -> None:
        self.runtime, self.fsm = runtime, fsm
        # SQLite has one writer and every update writes (its claim, first): updates queue here, in
        # order, rather than in SQLite's busy handler, which polls with growing sleeps and lets a
        # late comer overtake (at 50 users at once, p99 went to seconds while p50 stayed low).
        self.one_writer: asyncio.Lock | contextlib.nullcontext[None] = (
            asyncio.Lock() if runtime.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # An error event comes with the FSM context its update already has.
        if self.fsm is None or "state" in data:
            return await self._unit(handler, event, data, None)
        context = self.fsm.resolve_event_context(data["bot"], data)
        data["fsm_storage"] = self.fsm.storage
        if context is None:
            return await self._unit(handler, event, data, None)
        # The chat's lock before the transaction, as aiogram's own FSM middleware does.
        async with self.fsm.events_isolation.lock(key=context.key):
            data["state"] = context
            return await self._unit(handler, event, data, context)

    async def _unit(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
        context: FSMContext | None,
    ) -> Any:
        async with self.one_writer, self.runtime.sessions() as session, session.begin():
            token = current_session.set(session)
            try:
                # Telegram delivers an update again when it thinks the first try failed.
                if type(event) is Update and not await claim(
                    session,
                    provider="telegram",
                    message_id=str(event.update_id),
                    at=self.runtime.clock.now(),
                ):
                    return None
                if context is not None:
                    if isinstance(context.storage, SQLStorage):
                        await context.storage.prefetch(context.key)
                    data["raw_state"] = await context.get_state()
                user: User | None = data.get("event_from_user")
                applicant = None
                if user is not None:
                    applicant = await account_holder(session, user.id)
                chosen = applicant.locale if applicant is not None else None
                fsm: FSMContext | None = data.get("state")
                if chosen is None and fsm is not None:
                    chosen = (await fsm.get_data()).get("locale")
                data.update(
                    session=session,
                    env=await self.runtime.env(session),
                    runtime=self.runtime,
                    applicant=applicant,
                    locale=chosen or _hint(user),
                    locale_chosen=chosen is not None,
                )
                return await handler(event, data)
            finally:
                current_session.reset(token)


def _hint(user: User | None) -> str:
    """Until they choose, the language their Telegram app uses, if it is one of ours."""
    code = (user.language_code or "")[:2] if user is not None else ""
    return code if code in LOCALES else "kk"
