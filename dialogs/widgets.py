"""Widgets every flow shares: texts in the applicant's language (the locale comes from the
middleware on every update), the language and main-menu buttons, a list of choices."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram_dialog import DialogManager, StartMode
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.kbd import Select, Start
from aiogram_dialog.widgets.kbd.select import OnItemClick
from aiogram_dialog.widgets.text import Const, Format, Text

from casework.texts.i18n import DEFAULT_LOCALE, gettext
from dialogs import states


def locale_of(manager: DialogManager) -> str:
    return str(manager.middleware_data.get("locale") or DEFAULT_LOCALE)


class T(Text):
    """`gettext(locale, msgid)` with the window's data filled into its {placeholders}."""

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return gettext(locale_of(manager), self.msgid).format_map(data)


LANG_BUTTON = Start(Const("🌐 Тіл / Язык"), id="lang", state=states.Language.choose)
MENU_BUTTON = Start(
    T("🏠 Main menu"), id="menu", state=states.Menu.main, mode=StartMode.RESET_STACK
)


def choice(widget_id: str, items: str, on_click: OnItemClick[Any, str]) -> Select[str]:
    """One button per (id, text) pair in the window's data under `items`."""
    return Select(
        Format("{item[1]}"),
        id=widget_id,
        item_id_getter=itemgetter(0),
        items=items,
        on_click=on_click,
    )
