"""A local Bot API over real HTTP: sendMessage with scripted 429/500/403 answers and timestamps.

aiogram's own HTTP session talks to it (TelegramAPIServer pointed at 127.0.0.1), so flood
control and server errors reach the provider exactly as Telegram's would. The broadcast test
needs this rather than the session-level fake (tests/fakes/telegram_session.py): it measures
the pace at which requests arrive over the wire, through aiogram's real aiohttp session.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.http_server import LocalHttpServer
from tests.fakes.telegram_session import BLOCKED, flood_control


@dataclass
class FakeBotApi(LocalHttpServer):
    # (loop time, chat id, answered status) for every sendMessage request.
    requests: list[tuple[float, str, int]] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)
    scripted: deque[int] = field(default_factory=deque)  # statuses for the next requests
    blocked: set[str] = field(default_factory=set)  # chats that blocked the bot, for good
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/bot{token}/{method}", self._call)

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "sendMessage":
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"})
        form = await request.post()
        chat = str(form["chat_id"])
        scripted = self.scripted.popleft() if self.scripted else 200
        status = 403 if chat in self.blocked else scripted
        self.requests.append((asyncio.get_running_loop().time(), chat, status))
        if status == 429:
            return web.json_response(flood_control(1), status=429)
        if status == 403:
            return web.json_response(BLOCKED, status=403)
        if status >= 500:
            body = {"ok": False, "error_code": status, "description": "Internal Server Error"}
            return web.json_response(body, status=status)
        self.delivered[chat] = self.delivered.get(chat, 0) + 1
        message = {
            "message_id": next(self._ids),
            "date": 1_790_000_000,
            "chat": {"id": int(chat), "type": "private"},
            "text": str(form.get("text", "")),
        }
        return web.json_response({"ok": True, "result": message})
