"""Delivery providers behind one base class: Twilio SMS, the sandbox, Telegram chat; and the
factory that picks them from the settings."""

from __future__ import annotations

from typing import Any

from casework.law.notices import NoticeChannel
from casework.system.settings import NotReadyForProduction, Settings, sms_problem
from gateway.providers.base import Provider
from gateway.providers.sandbox import SandboxProvider
from gateway.providers.twilio import TwilioProvider


def build_providers(settings: Settings, bot: Any = None) -> dict[NoticeChannel, Provider]:
    """Twilio when credentials are set, else the sandbox (never in production); Telegram when
    there is a bot token."""
    sms: Provider
    if settings.twilio_account_sid and settings.twilio_auth_token:
        sms = TwilioProvider.from_settings(settings)
    elif settings.environment == "production" and (problem := sms_problem(settings)):
        raise NotReadyForProduction([problem])
    else:
        sms = SandboxProvider()
    chat: Provider
    # aiogram is imported only when there is a bot: it is heavy, and `komek serve` without a
    # token (the embedded default) should not pay for it at start-up.
    if bot is None and settings.bot_token is not None:
        from aiogram import Bot

        bot = Bot(settings.bot_token.get_secret_value())
    if bot is not None:
        from gateway.providers.telegram import TelegramProvider

        chat = TelegramProvider(bot)
    else:
        chat = SandboxProvider(channel=NoticeChannel.CHAT)
    return {NoticeChannel.SMS: sms, NoticeChannel.CHAT: chat}
