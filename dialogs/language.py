"""The first screen and /lang: Қазақша or Русский, kept with the applicant, the place kept too."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column
from aiogram_dialog.widgets.text import Const

from dialogs import states
from dialogs.common import applicant_of, go_to_place

# Each language names itself, so the screen reads the same to everyone.
PROMPT = "Тілді таңдаңыз / Выберите язык"


async def choose(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    locale = "kk" if button.widget_id == "kk" else "ru"
    applicant = applicant_of(manager)
    if applicant is not None:
        applicant.locale = locale
    # Before identity there is no applicant row yet: the chat's own FSM data holds the choice.
    fsm: FSMContext = manager.middleware_data["state"]
    await fsm.update_data(locale=locale)
    manager.middleware_data["locale"] = locale
    manager.middleware_data["locale_chosen"] = True
    if len(manager.current_stack().intents) > 1:
        await manager.done()  # back to the window the applicant came from, now in this language
    else:
        await go_to_place(manager)


async def _noop(**_: Any) -> dict[str, Any]:
    return {}


def dialog() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            Const(PROMPT),
            Column(
                Button(Const("Қазақша"), id="kk", on_click=choose),
                Button(Const("Русский"), id="ru", on_click=choose),
            ),
            state=states.Language.choose,
            getter=_noop,
        ),
    )
