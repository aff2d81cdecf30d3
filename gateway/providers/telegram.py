"""Chat delivery through the Bot API (aiogram `Bot`): the bot stands for the portal's cabinet.

Telegram allows about 30 messages a second overall and one a second per chat; flood control
answers with `retry_after`, which pauses every send, not only the one that hit it. With several
workers the limits are shared (gateway/providers/limits.py): the bot's and the chat's slot are
taken together, so they hold for the bot as a whole. A preliminary
refusal, a hearing invitation and the protocol message carry buttons the bot answers
(bot.callbacks.NoticeButton).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import NoticeAction, NoticeButton
from casework.law.notices import NoticeChannel, NoticeKind
from casework.texts.i18n import gettext
from gateway.providers.base import Limiter, Outcome, Outgoing, Provider, SendResult, describe
from gateway.providers.limits import Limits

GLOBAL_RATE = 30.0
PER_CHAT_RATE = 1.0


def buttons(message: Outgoing) -> InlineKeyboardMarkup | None:
    loc = message.locale
    attend = InlineKeyboardButton(
        text=gettext(loc, "I will attend"),
        callback_data=NoticeButton(
            action=NoticeAction.ATTEND, application_id=message.application_id
        ).pack(),
    )
    if message.kind is NoticeKind.PRELIMINARY_REFUSAL:
        obj = InlineKeyboardButton(
            text=gettext(loc, "Object"),
            callback_data=NoticeButton(
                action=NoticeAction.OBJECT, application_id=message.application_id
            ).pack(),
        )
        return InlineKeyboardMarkup(inline_keyboard=[[obj], [attend]])
    if message.kind is NoticeKind.HEARING_INVITATION:
        return InlineKeyboardMarkup(inline_keyboard=[[attend]])
    if message.kind is NoticeKind.PROTOCOL_READY:
        protocol = InlineKeyboardButton(
            text=gettext(loc, "📄 Protocol and remarks on it"),
            callback_data=NoticeButton(
                action=NoticeAction.PROTOCOL, application_id=message.application_id
            ).pack(),
        )
        return InlineKeyboardMarkup(inline_keyboard=[[protocol]])
    return None


# Short stable codes for error_code, most specific class first; the exception's class and
# Telegram's words go to error_message.
ERROR_CODES: tuple[tuple[type[TelegramAPIError], str], ...] = (
    (TelegramForbiddenError, "forbidden"),  # the user blocked the bot
    (TelegramNotFound, "not_found"),
    (TelegramBadRequest, "bad_request"),
    (TelegramUnauthorizedError, "unauthorized"),  # our token
    (TelegramEntityTooLarge, "too_large"),
    (TelegramServerError, "server_error"),
    (TelegramNetworkError, "network"),
)
PERMANENT = (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest, TelegramEntityTooLarge)


def error_code(exc: TelegramAPIError) -> str:
    if isinstance(exc, TelegramNetworkError) and isinstance(exc.__cause__, TimeoutError):
        return "timeout"
    return next((code for cls, code in ERROR_CODES if isinstance(exc, cls)), "telegram")


class TelegramProvider(Provider):
    name: ClassVar[str] = "telegram"
    channel = NoticeChannel.CHAT

    def __init__(
        self,
        bot: Bot,
        *,
        rate: float = GLOBAL_RATE,
        per_chat: float = PER_CHAT_RATE,
        limits: Limits | None = None,
    ):
        self.bot = bot
        self.limits = limits or Limits()
        self.key = f"telegram:{bot.id}"  # Telegram counts per bot
        self.limiter = self.limits.limiter(self.key, rate)
        self.per_chat = per_chat
        self._chats: dict[str, Limiter] = {}

    async def pace(self, message: Outgoing) -> None:
        chat = self._chats.get(message.address)
        if chat is None:
            if len(self._chats) > 10_000:  # forget chats that have nothing left to remember
                now = asyncio.get_running_loop().time()
                self._chats = {k: v for k, v in self._chats.items() if not v.idle(now)}
            chat = self._chats[message.address] = self.limits.limiter(
                f"{self.key}:{message.address}", self.per_chat
            )
        # One start time for both limits: the chat's second runs from when the message left.
        await chat.wait(within=self.limiter)

    async def send(self, message: Outgoing) -> SendResult:
        try:
            sent = await self.bot.send_message(
                chat_id=int(message.address), text=message.text, reply_markup=buttons(message)
            )
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after)  # flood control holds every chat, not just this
            return SendResult(
                Outcome.TRANSIENT,
                error_code="retry_after",
                error_message=describe(exc),
                retry_after=float(exc.retry_after),
            )
        except TelegramAPIError as exc:
            # Blocked by the user, chat gone, or a message Telegram will never accept: print.
            # Network trouble, Telegram's 5xx or our token: try again later.
            outcome = Outcome.PERMANENT if isinstance(exc, PERMANENT) else Outcome.TRANSIENT
            return SendResult(outcome, error_code=error_code(exc), error_message=describe(exc))
        return SendResult(
            Outcome.DELIVERED,
            provider_id=f"{sent.chat.id}:{sent.message_id}",
            provider_status="sent",
        )

    async def close(self) -> None:
        await self.bot.session.close()
        await self.limits.close()
