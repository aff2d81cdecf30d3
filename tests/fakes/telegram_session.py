"""A Bot API stand-in at aiogram's session level: answers go through aiogram's own response
checking, so `TelegramRetryAfter` and friends are raised exactly as with the real server."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType


class FakeTelegramSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.sent: list[dict[str, Any]] = []
        # (status, body) answers for the next calls; when empty, messages are accepted.
        self.scripted: deque[tuple[int, dict[str, Any]]] = deque()

    def retry_after(self, seconds: int) -> None:
        self.scripted.append((429, {"ok": False, "error_code": 429,
                                    "description": f"Too Many Requests: retry after {seconds}",
                                    "parameters": {"retry_after": seconds}}))

    def blocked(self) -> None:
        self.scripted.append((403, {"ok": False, "error_code": 403,
                                    "description": "Forbidden: bot was blocked by the user"}))

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        if self.scripted:
            status, body = self.scripted.popleft()
        else:
            # What aiogram would put on the wire: defaults resolved, nested objects as JSON.
            data: dict[str, Any] = {}
            for key, value in method.model_dump(warnings=False).items():
                wire = self.prepare_value(value, bot=bot, files={})
                if wire is not None:
                    data[key] = json.loads(wire) if key == "reply_markup" else wire
            data["chat_id"] = int(data["chat_id"])
            self.sent.append(data)
            status, body = 200, {"ok": True, "result": {
                "message_id": len(self.sent), "date": 1_790_000_000,
                "chat": {"id": int(data["chat_id"]), "type": "private"}, "text": data["text"],
            }}
        response = self.check_response(bot, method, status, json.dumps(body))
        return response.result  # type: ignore[return-value]

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        pass
