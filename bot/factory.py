"""The Dispatcher: storage chosen by settings, the middleware, the routers and the dialogs."""

from __future__ import annotations

import secrets
from typing import Any

import aiogram.methods
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.methods.base import Response, TelegramMethod
from aiogram_dialog import Dialog, setup_dialogs
from aiogram_dialog.api.entities import stack
from aiogram_dialog.api.protocols import MessageManagerProtocol

from bot import commands, errors, notice_buttons
from bot.middlewares import CaseworkMiddleware
from bot.storage import make_storage
from casework.system.runtime import Runtime
from dialogs import documents, filing, identity, language, objection, question, status


def _intent_id() -> str:
    return stack.id_to_str(secrets.randbits(40))


# aiogram-dialog names a dialog it opens by the second plus one of 100 random numbers, so two
# dialogs opened in the same second (the language chooser over the filing form) share a name one
# time in a hundred and the applicant lands back at the start. 40 random bits: one char longer.
stack.new_id = _intent_id


def all_dialogs() -> list[Dialog]:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return [
        language.dialog(),
        identity.dialog(),
        status.menu(),
        filing.dialog(),
        documents.dialog(),
        status.status(),
        objection.dialog(),
        question.dialog(),
    ]


def create_dispatcher(
    runtime: Runtime,
    *,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
    message_manager: MessageManagerProtocol | None = None,
) -> Dispatcher:
    if storage is None:
        storage, events_isolation = make_storage(
            runtime.sessions, runtime.settings.redis_url, clock=runtime.clock
        )
    # aiogram's FSM middleware is left out: ours does its work inside the update's transaction.
    dp = Dispatcher(storage=storage, runtime=runtime, disable_fsm=True)
    middleware = CaseworkMiddleware(runtime, dp.fsm)
    dp.update.outer_middleware(middleware)
    dp.errors.outer_middleware(middleware)
    # Commands and notice buttons first: they work whatever window is open.
    dp.include_routers(
        commands.commands_router(),
        notice_buttons.notice_router(),
        *all_dialogs(),
        commands.fallback_router(),
    )
    errors.register(dp)
    setup_dialogs(
        dp,
        message_manager=message_manager or notice_buttons.NoticeKeepingMessageManager(),
        events_isolation=events_isolation,
    )
    return dp


# aiogram checks every Bot API answer as `Response[T]`; pydantic keeps those generic classes only
# weakly, so each call rebuilt one (5-10 ms, the largest cost of an update). Held here, they are
# built once (41 answer types, about 0.1 s) and found in pydantic's cache from then on.
_RESPONSES: list[type[Any]] = []


def _keep_response_types() -> None:
    if _RESPONSES:
        return
    returning: dict[str, Any] = {}
    for name in aiogram.methods.__all__:
        method = getattr(aiogram.methods, name)
        if (
            isinstance(method, type)
            and issubclass(method, TelegramMethod)
            and method is not TelegramMethod
        ):
            returning.setdefault(repr(method.__returning__), method.__returning__)
    _RESPONSES.extend(Response[kind] for kind in returning.values())  # type: ignore[valid-type]


def create_bot(
    token: str, *, session: BaseSession | None = None, api_base: str | None = None
) -> Bot:
    _keep_response_types()
    if api_base:  # a local Bot API server (KOMEK_TELEGRAM_API_BASE) instead of Telegram's
        session = session or AiohttpSession()
        session.api = TelegramAPIServer.from_base(api_base)
    # No parse mode: applicants' own words are shown back as typed, never as markup.
    return Bot(token, session=session)
