"""Running the bot inside `komek serve`: long polling by default, a webhook behind a public URL.

Polling needs only KOMEK_BOT_TOKEN. With KOMEK_PUBLIC_URL and KOMEK_TELEGRAM_WEBHOOK_SECRET as
well, Telegram is told to POST updates to /telegram/webhook with the secret in the
X-Telegram-Bot-Api-Secret-Token header, and any request without it is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.types import Update
from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from pydantic import ValidationError

from bot.factory import create_bot, create_dispatcher
from casework.system.runtime import Runtime

log = logging.getLogger("komek.bot")
WEBHOOK_PATH = "/telegram/webhook"


class NotAnUpdate(ValueError):
    pass


class TelegramService:
    def __init__(self, runtime: Runtime, bot: Bot, dp: Dispatcher) -> None:
        self.runtime, self.bot, self.dp = runtime, bot, dp
        self._polling: asyncio.Task[None] | None = None

    @classmethod
    def from_runtime(
        cls, runtime: Runtime, *, session: BaseSession | None = None
    ) -> TelegramService | None:
        token = runtime.settings.bot_token
        if token is None:
            return None
        return cls(
            runtime,
            create_bot(
                token.get_secret_value(),
                session=session,
                api_base=runtime.settings.telegram_api_base,
            ),
            create_dispatcher(runtime),
        )

    @property
    def secret(self) -> str | None:
        secret = self.runtime.settings.telegram_webhook_secret
        return secret.get_secret_value() if secret else None

    @property
    def webhook_mode(self) -> bool:
        return bool(self.secret and self.runtime.settings.public_url)

    async def start(self) -> None:
        if self.webhook_mode:
            url = f"{str(self.runtime.settings.public_url).rstrip('/')}{WEBHOOK_PATH}"
            await self.bot.set_webhook(
                url,
                secret_token=self.secret,
                allowed_updates=self.dp.resolve_used_update_types(),
                drop_pending_updates=False,
            )
            log.info("telegram: webhook mode")
            return
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._polling = asyncio.create_task(
            self.dp.start_polling(self.bot, handle_signals=False, close_bot_session=False)
        )
        log.info("telegram: long polling")

    async def feed(self, payload: Any) -> None:
        try:
            update = Update.model_validate(payload, context={"bot": self.bot})
        except ValidationError as exc:
            raise NotAnUpdate("not a Telegram update") from exc
        await self.dp.feed_update(self.bot, update)

    async def stop(self) -> None:
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):  # polling had not started yet
                await self.dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._polling, timeout=10)
        await self.bot.session.close()
        await self.dp.storage.close()


@contextlib.asynccontextmanager
async def telegram_lifespan(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    """Start the bot with the service when a token is configured; stop it with the service."""
    service = TelegramService.from_runtime(runtime)
    app.state.telegram = service
    if service is None:
        yield
        return
    await service.start()
    try:
        yield
    finally:
        await service.stop()


webhook_router = APIRouter()


@webhook_router.post(WEBHOOK_PATH, include_in_schema=False)
async def telegram_webhook(
    request: Request,
    x_telegram_bot_api_secret_token: str | None = Header(default=None),
) -> dict[str, bool]:
    service: TelegramService | None = getattr(request.app.state, "telegram", None)
    if service is None or not service.secret:
        raise HTTPException(status_code=404)
    given = (x_telegram_bot_api_secret_token or "").encode()
    if not hmac.compare_digest(given, service.secret.encode()):
        raise HTTPException(status_code=403)
    try:  # Telegram never sends anything else: answer the sender, not a 500
        payload = await request.json()
        await service.feed(payload)
    except (NotAnUpdate, json.JSONDecodeError, UnicodeDecodeError):
        raise HTTPException(status_code=400, detail="not a Telegram update") from None
    return {"ok": True}
