"""An applicant's phone that drives a chat with the real bot, over the fake Telegram.

`Phone` builds real `Update` objects and feeds them to the real Dispatcher, the way Telegram's
servers would; what the bot answers lands in `FakeTelegram` (tests/fakes/telegram_session.py).
"""

from __future__ import annotations

import copy
import itertools
import re
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Chat, Contact, Document, Message, PhotoSize, Update, User

from tests.fakes.telegram_session import TOKEN, FakeTelegram

__all__ = ["TOKEN", "FakeTelegram", "Phone"]


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
                file_id=file_id,
                file_unique_id=file_id,
                width=1280,
                height=960,
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
