"""Commands that work anywhere (/start, /lang), and the way back for anything unexpected."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from dialogs import states
from dialogs.common import go_to_place


async def start(message: Message, dialog_manager: DialogManager) -> None:
    await go_to_place(dialog_manager)


async def change_language(message: Message, dialog_manager: DialogManager) -> None:
    # On top of the current dialog: choosing returns to the same place, in the new language.
    mode = StartMode.NORMAL if dialog_manager.has_context() else StartMode.RESET_STACK
    await dialog_manager.start(states.Language.choose, mode=mode)


async def anything_else(message: Message, dialog_manager: DialogManager) -> None:
    """A message no window expects (or a conversation lost with its storage): show the place."""
    await go_to_place(dialog_manager)


def commands_router() -> Router:
    router = Router(name="commands")
    router.message.register(start, CommandStart())
    router.message.register(change_language, Command("lang"))
    return router


def fallback_router() -> Router:
    router = Router(name="fallback")
    router.message.register(anything_else)
    return router
