"""A fake Telegram at the HTTP-session level, and an applicant's phone that drives a chat.

`FakeTelegram` is an aiogram session: every Bot API call the real code makes lands here, is
recorded, and gets the answer Telegram would give (messages kept per chat, files served for
download, Telegram's own "file is too big" past 20 MB). `Phone` builds real `Update` objects and
feeds them to the real Dispatcher, the way Telegram's servers would.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import re
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import Response, TelegramMethod
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    ReplyKeyboardMarkup,
    Update,
    User,
)

BOT_ID = 7000000001
TOKEN = f"{BOT_ID}:TEST-token"
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


class FakeTelegram(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> message id -> message
        self.files: dict[str, bytes] = {}
        self.file_sizes: dict[str, int] = {}
        self.alerts: list[str] = []  # callback answers with text
        self.pending_updates: list[dict[str, Any]] = []  # for getUpdates (long polling)
        self._ids = itertools.count(1000)

    # ------------------------------------------------------------------ the Bot API

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        if method.__api_method__ == "getUpdates":  # long polling: wait a moment, hand over
            await asyncio.sleep(0.01)
        handler = getattr(self, f"_{method.__api_method__}", None)
        if handler is None:
            raise AssertionError(f"the fake Telegram does not know {method.__api_method__}")
        result = handler(method)
        response = Response[method.__returning__].model_validate(  # type: ignore[name-defined]
            {"ok": True, "result": result}, context={"bot": bot}
        )
        return response.result

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
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        message = self._message(chat_id, method.message_id, method)
        self.chats[chat_id][method.message_id] = message
        return message

    def _editMessageReplyMarkup(self, method: Any) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        message = self.chats.get(chat_id, {}).get(method.message_id)
        if message is None:
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        message.pop("reply_markup", None)
        if isinstance(method.reply_markup, InlineKeyboardMarkup):
            message["reply_markup"] = method.reply_markup.model_dump(exclude_none=True)
        return message

    def _deleteMessage(self, method: Any) -> bool:
        if self.chats.get(int(method.chat_id), {}).pop(method.message_id, None) is None:
            raise TelegramBadRequest(method, "Bad Request: message to delete not found")
        return True

    def _answerCallbackQuery(self, method: Any) -> bool:
        if method.text:
            self.alerts.append(method.text)
        return True

    def _getFile(self, method: Any) -> dict[str, Any]:
        size = self.file_sizes[method.file_id]
        if size > TELEGRAM_DOWNLOAD_LIMIT:
            raise TelegramBadRequest(method, "Bad Request: file is too big")
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


class Phone:
    """One Telegram user in a private chat with the bot."""

    _update_ids = itertools.count(1)

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        telegram: FakeTelegram,
        user_id: int = 424242,
        language_code: str | None = None,
        first_name: str = "Әлия",
    ) -> None:
        self.dp, self.bot, self.telegram = dp, bot, telegram
        self.user = User(
            id=user_id, is_bot=False, first_name=first_name, language_code=language_code
        )
        self.chat = Chat(id=user_id, type="private")
        self._message_ids = itertools.count(1)

    async def _feed(self, **event: Any) -> None:
        update = Update(update_id=next(self._update_ids), **event)
        await self.dp.feed_update(self.bot, update)

    def _message(self, **content: Any) -> Message:
        return Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            **content,
        )

    async def send(self, text: str) -> None:
        await self._feed(message=self._message(text=text))

    async def share_contact(self, phone: str, *, user_id: int | None = None) -> None:
        contact = Contact(
            phone_number=phone,
            first_name=self.user.first_name,
            user_id=self.user.id if user_id is None else user_id,
        )
        await self._feed(message=self._message(contact=contact))

    async def send_photo(self, content: bytes) -> None:
        file_id = f"photo{len(self.telegram.files)}"
        self.telegram.files[file_id] = content
        self.telegram.file_sizes[file_id] = len(content)
        photo = [
            PhotoSize(file_id=f"{file_id}s", file_unique_id="s", width=90, height=90),
            PhotoSize(
                file_id=file_id, file_unique_id=file_id, width=1280, height=960,
                file_size=len(content),
            ),
        ]
        await self._feed(message=self._message(photo=photo))

    async def send_document(
        self, content: bytes, file_name: str, mime_type: str, *, size: int | None = None
    ) -> None:
        file_id = f"doc{len(self.telegram.files)}"
        self.telegram.files[file_id] = content
        self.telegram.file_sizes[file_id] = len(content) if size is None else size
        document = Document(
            file_id=file_id,
            file_unique_id=file_id,
            file_name=file_name,
            mime_type=mime_type,
            file_size=self.telegram.file_sizes[file_id],
        )
        await self._feed(message=self._message(document=document))

    def buttons(self) -> list[str]:
        markup = self.telegram.screen(self.chat.id).get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]

    async def tap(self, text: str, *, on: dict[str, Any] | None = None) -> None:
        """Press the button labelled exactly `text`."""
        await self.click(f"^{re.escape(text)}$", on=on)

    def snapshot(self) -> dict[str, Any]:
        """The screen as it is now, to press one of its buttons later (a stale button)."""
        return copy.deepcopy(self.telegram.screen(self.chat.id))

    async def click(self, pattern: str, *, on: dict[str, Any] | None = None) -> None:
        """Press the button whose text matches, on the newest screen (or on a snapshot)."""
        raw = on if on is not None else self.telegram.screen(self.chat.id)
        for row in (raw.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if re.search(pattern, button["text"]):
                    await self.press(raw, button["callback_data"])
                    return
        raise AssertionError(f"no button {pattern!r} on {raw.get('text')!r}: {self.buttons()}")

    async def press(self, raw: dict[str, Any], callback_data: str) -> None:
        message = Message.model_validate(raw, context={"bot": self.bot})
        callback = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=self.user,
            chat_instance="ci",
            message=message,
            data=callback_data,
        )
        await self._feed(callback_query=callback)

    @property
    def text(self) -> str:
        """The text on the newest screen."""
        return str(self.telegram.screen(self.chat.id).get("text"))

    def said(self) -> list[str]:
        return self.telegram.texts(self.chat.id)
