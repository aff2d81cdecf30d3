"""Chat delivery through the Bot API (aiogram `Bot`): the bot stands for the portal's cabinet.

Telegram allows about 30 messages a second overall and one a second per chat; flood control
answers with `retry_after`, which pauses every send, not only the one that hit it. A preliminary
refusal carries buttons the bot answers (callback data `notice:object:<id>`, `notice:attend:<id>`).
"""

from __future__ import annotations

from typing import ClassVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from casework.i18n import gettext
from casework.notices import NoticeKind
from casework.outbox import NoticeChannel
from gateway.providers.base import Outcome, Outgoing, Provider, RateLimiter, SendResult

GLOBAL_RATE = 30.0
PER_CHAT_RATE = 1.0


def object_callback(application_id: int) -> str:
    return f"notice:object:{application_id}"


def attend_callback(application_id: int) -> str:
    return f"notice:attend:{application_id}"


def buttons(message: Outgoing) -> InlineKeyboardMarkup | None:
    loc = message.locale
    attend = InlineKeyboardButton(
        text=gettext(loc, "I will attend"), callback_data=attend_callback(message.application_id)
    )
    if message.kind is NoticeKind.PRELIMINARY_REFUSAL:
        obj = InlineKeyboardButton(
            text=gettext(loc, "Object"), callback_data=object_callback(message.application_id)
        )
        return InlineKeyboardMarkup(inline_keyboard=[[obj], [attend]])
    if message.kind is NoticeKind.HEARING_INVITATION:
        return InlineKeyboardMarkup(inline_keyboard=[[attend]])
    return None


def _short(exc: Exception) -> str:
    """'TelegramForbiddenError' → 'forbidden': fits the error_code column."""
    return type(exc).__name__.removeprefix("Telegram").removesuffix("Error").lower()[:20]


class TelegramProvider(Provider):
    name: ClassVar[str] = "telegram"
    channel = NoticeChannel.CHAT

    def __init__(self, bot: Bot, *, rate: float = GLOBAL_RATE, per_chat: float = PER_CHAT_RATE):
        self.bot = bot
        self.limiter = RateLimiter(rate)
        self.per_chat = per_chat
        self._chats: dict[str, RateLimiter] = {}

    async def pace(self, message: Outgoing) -> None:
        chat = self._chats.get(message.address)
        if chat is None:
            if len(self._chats) > 10_000:  # forget idle chats; one second is the only memory
                self._chats.clear()
            chat = self._chats[message.address] = RateLimiter(self.per_chat)
        await chat.wait()
        await self.limiter.wait()

    async def send(self, message: Outgoing) -> SendResult:
        try:
            sent = await self.bot.send_message(
                chat_id=int(message.address), text=message.text, reply_markup=buttons(message)
            )
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after)
            return SendResult(Outcome.TRANSIENT, error_code="429", error_message="retry after",
                              retry_after=float(exc.retry_after))
        except (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest) as exc:
            # Blocked by the user, chat gone, or a message Telegram will never accept.
            return SendResult(Outcome.PERMANENT, error_code=_short(exc),
                              error_message=exc.message[:500])
        except (TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError) as exc:
            return SendResult(Outcome.TRANSIENT, error_code=_short(exc),
                              error_message=str(exc)[:500])
        return SendResult(Outcome.DELIVERED, provider_id=f"{sent.chat.id}:{sent.message_id}",
                          provider_status="sent")

    async def close(self) -> None:
        await self.bot.session.close()
