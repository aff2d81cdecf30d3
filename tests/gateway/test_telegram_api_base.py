"""KOMEK_TELEGRAM_API_BASE: a local Bot API server (tdlib's telegram-bot-api) takes the bot's and
the chat notices' calls instead of api.telegram.org. The stand-in answers over real HTTP at the
Bot API's paths, so aiogram's own session builds the URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.factory import create_bot
from casework.law.notices import NoticeChannel, NoticeKind, Outcome
from casework.system.settings import Settings
from gateway.providers import build_providers
from gateway.providers.base import Outgoing
from tests.fakes.http_server import LocalHttpServer
from tests.fakes.telegram_session import BOT_ID, TOKEN


@dataclass
class LocalBotApi(LocalHttpServer):
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/bot{token}/{method}", self.answer)

    async def answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(
            (f"/bot{request.match_info['token']}/{method}", dict(await request.post()))
        )
        user = {"id": BOT_ID, "is_bot": True, "first_name": "Komek"}
        if method == "getMe":
            return web.json_response({"ok": True, "result": user})
        chat = {"id": 5001, "type": "private"}
        message = {"message_id": 42, "date": 0, "chat": chat, "from": user, "text": "x"}
        return web.json_response({"ok": True, "result": message})


@pytest.fixture
async def bot_api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi()
    await server.start()
    yield server
    await server.stop()


async def test_chat_notices_go_to_the_local_server(bot_api: LocalBotApi, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'komek.sqlite3'}",
        bot_token=TOKEN,
        telegram_api_base=bot_api.base_url,
    )
    chat = build_providers(settings)[NoticeChannel.CHAT]
    try:
        result = await chat.send(
            Outgoing(1, 1, NoticeKind.DECISION_GRANTED, "kk", "5001", "Көмек тағайындалды")
        )
    finally:
        await chat.close()
    assert result.outcome is Outcome.DELIVERED and result.provider_id == "5001:42"
    [(path, form)] = bot_api.calls
    assert path == f"/bot{TOKEN}/sendMessage"
    assert (form["chat_id"], form["text"]) == ("5001", "Көмек тағайындалды")


async def test_the_bot_talks_to_the_local_server(bot_api: LocalBotApi) -> None:
    bot = create_bot(TOKEN, api_base=bot_api.base_url)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    assert me.id == BOT_ID
    assert [path for path, _ in bot_api.calls] == [f"/bot{TOKEN}/getMe"]
