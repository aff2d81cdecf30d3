"""A local Bot API over real HTTP: sendMessage with scripted 429/500/403 answers and timestamps.

aiogram's own HTTP session talks to it (TelegramAPIServer pointed at 127.0.0.1), so flood
control and server errors reach the provider exactly as Telegram's would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class FakeBotApi:
    host: str = "127.0.0.1"
    port: int = 0
    # (loop time, chat id, answered status) for every sendMessage request.
    requests: list[tuple[float, str, int]] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)
    scripted: deque[int] = field(default_factory=deque)  # statuses for the next requests
    blocked: set[str] = field(default_factory=set)  # chats that blocked the bot, for good
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "sendMessage":
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"})
        form = await request.post()
        chat = str(form["chat_id"])
        scripted = self.scripted.popleft() if self.scripted else 200
        status = 403 if chat in self.blocked else scripted
        self.requests.append((asyncio.get_running_loop().time(), chat, status))
        if status == 429:
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        if status == 403:
            body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}
            return web.json_response(body, status=403)
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
