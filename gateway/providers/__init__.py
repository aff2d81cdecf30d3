"""Delivery providers behind one base class: Twilio SMS, the sandbox, Telegram chat; and the
factory that picks them from the settings."""

from __future__ import annotations

from typing import Any

from casework.law.notices import NoticeChannel
from casework.system.runtime import Runtime
from casework.system.settings import NotReadyForProduction, Settings, sms_problem
from gateway.providers.base import Provider
from gateway.providers.limits import shared_limits
from gateway.providers.sandbox import SandboxProvider


def build_providers(
    settings: Settings, bot: Any = None, *, runtime: Runtime | None = None
) -> dict[NoticeChannel, Provider]:
    """Twilio and SMPP when both are configured (Twilio first, failing over to SMPP), either one
    alone, else the sandbox (never in production); Telegram when there is a bot token. SMPP
    receipts arrive over its session and reach the notices through `runtime`'s database."""
    sms: Provider
    sms_chain: list[Provider] = []
    # Each provider's rate holds for all workers together (Redis or PostgreSQL; one on SQLite).
    limits = shared_limits(settings)
    # Each provider's library is imported only when it is configured (aiohttp, smpp34): the
    # embedded default starts without them.
    if settings.twilio_account_sid and settings.twilio_auth_token:
        from gateway.providers.twilio import TwilioProvider

        twilio = TwilioProvider.from_settings(settings)
        twilio.limiter = limits.limiter(
            f"twilio:{settings.twilio_account_sid}", settings.twilio_rate_per_second
        )
        sms_chain.append(twilio)
    if settings.smpp_host and settings.smpp_system_id:
        from gateway.providers.smpp import SmppProvider, store_receipts

        receipts = store_receipts(runtime) if runtime is not None else None
        smpp = SmppProvider.from_settings(settings, on_receipt=receipts)
        smpp.limiter = limits.limiter(
            f"smpp:{settings.smpp_host}:{settings.smpp_system_id}", settings.smpp_rate_per_second
        )
        sms_chain.append(smpp)
    if sms_chain:
        from gateway.providers.failover import FailoverProvider

        sms = sms_chain[0] if len(sms_chain) == 1 else FailoverProvider(sms_chain)
    elif settings.environment == "production" and (problem := sms_problem(settings)):
        raise NotReadyForProduction([problem])
    else:
        sms = SandboxProvider()
    chat: Provider
    # aiogram is imported only when there is a bot: it is heavy, and `komek serve` without a
    # token (the embedded default) should not pay for it at start-up.
    if bot is None and settings.bot_token is not None:
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        # The same Bot API server as the bot (KOMEK_TELEGRAM_API_BASE), if a local one is set.
        base = settings.telegram_api_base
        session = AiohttpSession(api=TelegramAPIServer.from_base(base)) if base else None
        bot = Bot(settings.bot_token.get_secret_value(), session=session)
    if bot is not None:
        from gateway.providers.telegram import TelegramProvider

        chat = TelegramProvider(
            bot,
            rate=settings.telegram_rate_per_second,
            per_chat=settings.telegram_chat_rate_per_second,
            limits=limits,
        )
    else:
        chat = SandboxProvider(channel=NoticeChannel.CHAT)
    return {NoticeChannel.SMS: sms, NoticeChannel.CHAT: chat}
