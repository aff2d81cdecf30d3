"""A Bot API stand-in at aiogram's session level, shared by the bot and the gateway tests.

Every Bot API call the real code makes lands here, is recorded, and gets the answer Telegram would
give: messages kept per chat, files served for download, Telegram's own errors ("message to edit
not found", "file is too big" past 20 MB, and scripted 429 flood control or 403 "blocked").
Every answer goes through aiogram's own response checking, so `TelegramRetryAfter`,
`TelegramForbiddenError` and `TelegramBadRequest` are raised exactly as with the real server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

BOT_ID = 7000000001
TOKEN = f"{BOT_ID}:TEST-token"
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


def flood_control(seconds: int) -> dict[str, Any]:
    """Telegram's 429 answer body."""
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }


# Telegram's 403 answer body to a bot the user blocked.
BLOCKED = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}


class BadRequest(Exception):
    """Raised by a method handler: answered as Telegram's 400 with this description."""


class FakeTelegram(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> message id -> message
        self.sent: list[dict[str, Any]] = []  # every sendMessage as it went on the wire
        self.files: dict[str, bytes] = {}
        self.file_sizes: dict[str, int] = {}
        self.alerts: list[str] = []  # callback answers with text
        self.pending_updates: list[dict[str, Any]] = []  # for getUpdates (long polling)
        # (status, body) answers for the next calls, whatever they are; then the normal ones.
        self.scripted: deque[tuple[int, dict[str, Any]]] = deque()
        self._ids = itertools.count(1000)

    def retry_after(self, seconds: int) -> None:
        """The next call meets flood control."""
        self.scripted.append((429, flood_control(seconds)))

    def blocked(self) -> None:
        """The next call finds the bot blocked by the user."""
        self.scripted.append((403, BLOCKED))

    # ------------------------------------------------------------------ the Bot API

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        name = method.__api_method__
        if self.scripted:
            status, body = self.scripted.popleft()
        else:
            if name == "getUpdates":  # long polling: wait a moment, hand over
                await asyncio.sleep(0.01)
            if name == "sendMessage":
                self.sent.append(self._wire(bot, method))
            handler = getattr(self, f"_{name}", None)
            if handler is None:
                raise AssertionError(f"the fake Telegram does not know {name}")
            try:
                status, body = 200, {"ok": True, "result": handler(method)}
            except BadRequest as exc:
                status, body = 400, {"ok": False, "error_code": 400, "description": str(exc)}
        return self.check_response(bot, method, status, json.dumps(body)).result

    def _wire(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        """What aiogram would put on the wire: defaults resolved, nested objects as JSON."""
        data: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            wire = self.prepare_value(value, bot=bot, files={})
            if wire is not None:
                data[key] = json.loads(wire) if key == "reply_markup" else wire
        data["chat_id"] = int(data["chat_id"])
        return data

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        file_id = url.rsplit("/", 1)[1]
        content = self.files[file_id]
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]

    async def close(self) -> None:
        return None

    def _getMe(self, method: Any) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Komek", "username": "komek_bot"}

    def _message(self, chat_id: int, message_id: int, method: Any) -> dict[str, Any]:
        markup = getattr(method, "reply_markup", None)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self._getMe(method),
            "text": method.text,
        }
        if isinstance(markup, InlineKeyboardMarkup):
            message["reply_markup"] = markup.model_dump(exclude_none=True)
        return message

    def _sendMessage(self, method: Any) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        message = self._message(chat_id, next(self._ids), method)
        self.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    def _editMessageText(self, method: Any) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        if method.message_id not in self.chats.get(chat_id, {}):
            raise BadRequest("Bad Request: message to edit not found")
        message = self._message(chat_id, method.message_id, method)
        self.chats[chat_id][method.message_id] = message
        return message

    def _editMessageReplyMarkup(self, method: Any) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        message = self.chats.get(chat_id, {}).get(method.message_id)
        if message is None:
            raise BadRequest("Bad Request: message to edit not found")
        message.pop("reply_markup", None)
        if isinstance(method.reply_markup, InlineKeyboardMarkup):
            message["reply_markup"] = method.reply_markup.model_dump(exclude_none=True)
        return message

    def _deleteMessage(self, method: Any) -> bool:
        if self.chats.get(int(method.chat_id), {}).pop(method.message_id, None) is None:
            raise BadRequest("Bad Request: message to delete not found")
        return True

    def _answerCallbackQuery(self, method: Any) -> bool:
        if method.text:
            self.alerts.append(method.text)
        return True

    def _getFile(self, method: Any) -> dict[str, Any]:
        size = self.file_sizes[method.file_id]
        if size > TELEGRAM_DOWNLOAD_LIMIT:
            raise BadRequest("Bad Request: file is too big")
        return {
            "file_id": method.file_id,
            "file_unique_id": f"u{method.file_id}",
            "file_size": size,
            "file_path": f"documents/{method.file_id}",
        }

    def _getUpdates(self, method: Any) -> list[dict[str, Any]]:
        offset = method.offset or 0
        updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        self.pending_updates = updates
        return updates

    def _setWebhook(self, method: Any) -> bool:
        return True

    def _deleteWebhook(self, method: Any) -> bool:
        return True

    # ------------------------------------------------------------------ what the user sees

    def texts(self, chat_id: int) -> list[str]:
        """Every text the bot sent or edited into this chat, in order."""
        out = []
        for call in self.calls:
            name = call.__api_method__
            if name in ("sendMessage", "editMessageText") and int(call.chat_id) == chat_id:
                out.append(call.text)
        return out

    def screen(self, chat_id: int) -> dict[str, Any]:
        """The newest bot message in the chat (what the applicant looks at)."""
        messages = self.chats.get(chat_id, {})
        return messages[max(messages)]

    def reply_keyboard(self, chat_id: int) -> ReplyKeyboardMarkup | None:
        for call in reversed(self.calls):
            if (
                call.__api_method__ == "sendMessage"
                and int(call.chat_id) == chat_id
                and isinstance(call.reply_markup, ReplyKeyboardMarkup)
            ):
                return call.reply_markup
        return None


# The name the gateway's delivery tests know it by.
FakeTelegramSession = FakeTelegram
