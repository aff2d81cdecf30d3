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

from casework.steps.codes import CodeError
from casework.texts.i18n import DEFAULT_LOCALE, N_, gettext
from dialogs import states
from dialogs.common import env_of


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


# What the applicant reads when a one-time code is not sent or does not confirm, by reason
# (casework.steps.codes.CodeError).
CODE_REFUSED = {
    "wrong": N_("The code is not right. Tries left: {left}."),
    "expired": N_("The code is no longer valid. Press «Send a new code»."),
    "too_many": N_("Too many wrong codes. Press «Send a new code»."),
    "none": N_("Press «Send a new code»."),
    "too_soon": N_("A new code can be sent in {wait} seconds."),
    "locked": N_(
        "Too many codes were asked for in the last 24 hours. Try again later, or come to the "
        "department with your identity card: {address}, tel. {phone}."
    ),
}


def code_refused(manager: DialogManager, exc: CodeError) -> str:
    msgid = CODE_REFUSED.get(str(exc.params["reason"]), CODE_REFUSED["none"])
    provider = env_of(manager).district.provider
    locale = locale_of(manager)
    where = {"address": getattr(provider.address, locale), "phone": provider.phone}
    return gettext(locale, msgid, **where, **exc.params)
