"""Texts in the applicant's language: the locale comes from the middleware on every update."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.text import Text

from casework.i18n import DEFAULT_LOCALE, gettext


def locale_of(manager: DialogManager) -> str:
    return str(manager.middleware_data.get("locale") or DEFAULT_LOCALE)


class T(Text):
    """`gettext(locale, msgid)` with the window's data filled into its {placeholders}."""

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return gettext(locale_of(manager), self.msgid).format_map(data)


def say(manager: DialogManager, msgid: str, **params: object) -> str:
    """A one-off text (a warning, a receipt) in the applicant's language."""
    return gettext(locale_of(manager), msgid, **params)
