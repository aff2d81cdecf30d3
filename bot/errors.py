"""Errors handled in one place: a stale button brings the applicant back to their place."""

from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram_dialog import DialogManager
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState

from casework.texts.i18n import gettext
from dialogs.common import DraftGone, go_to_place

log = logging.getLogger("komek.bot")


async def on_stale(
    event: ErrorEvent, locale: str, dialog_manager: DialogManager | None = None
) -> None:
    """A button from an older screen (after a restart, a deploy, or simply scrolled up)."""
    if dialog_manager is None:  # not a chat event: nobody to bring back
        return
    text = gettext(locale, "That button is from an older screen. Here is where you are now.")
    callback = event.update.callback_query
    if callback is not None:
        await callback.answer(text)
    await go_to_place(dialog_manager)


async def on_failure(
    event: ErrorEvent, locale: str, dialog_manager: DialogManager | None = None
) -> None:
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    if dialog_manager is None:
        return
    chat_id = dialog_manager.middleware_data.get("event_chat")
    if chat_id is not None:
        await dialog_manager.middleware_data["bot"].send_message(
            chat_id.id,
            gettext(locale, "Sorry, something went wrong. Your answers are saved."),
        )
    await go_to_place(dialog_manager)


def register(dp: Dispatcher) -> None:
    dp.errors.register(
        on_stale, ExceptionTypeFilter(UnknownIntent, OutdatedIntent, UnknownState, DraftGone)
    )
    dp.errors.register(on_failure)
