"""The main menu and the case status: where the case is, what comes next, every deadline."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, Start
from aiogram_dialog.widgets.text import Format

from casework.law.status import Status
from casework.steps import case_file
from casework.steps.status import applicant_status
from dialogs import states
from dialogs.common import (
    applicant_of,
    draft_of,
    env_of,
    go_to_place,
    open_draft,
    session_of,
)
from dialogs.filing import LANG_BUTTON, MENU_BUTTON
from dialogs.widgets import T, locale_of

# States in which the applicant has something to do about a preliminary refusal or its hearing.
HEARING_STATES = frozenset(
    {
        Status.PRELIMINARY_REFUSAL,
        Status.OBJECTION_RECEIVED,
        Status.HEARING_HELD,
        Status.PROTOCOL_MADE,
        Status.REMARKS_RECEIVED,
    }
)


async def on_file(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await open_draft(manager)
    await go_to_place(manager)


async def menu_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    applicant = applicant_of(dialog_manager)
    assert applicant is not None
    session = session_of(dialog_manager)
    case = await case_file.visible_case(session, applicant)
    has_draft = await draft_of(dialog_manager) is not None
    return {
        "has_draft": has_draft,
        "can_file": not has_draft,
        "has_case": case is not None,
        "hearing": case is not None and case.status in HEARING_STATES,
    }


async def status_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    applicant = applicant_of(dialog_manager)
    assert applicant is not None
    session = session_of(dialog_manager)
    case = await case_file.visible_case(session, applicant)
    if case is None:
        return {"status": "", "hearing": False}
    text = await applicant_status(session, env_of(dialog_manager), case, locale_of(dialog_manager))
    return {"status": text, "hearing": case.status in HEARING_STATES}


OBJECTION_BUTTON = Start(
    T("⚖️ Objection and hearing"), id="objection", state=states.Objection.main, when="hearing"
)


def menu() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            T("Main menu. Choose what you need."),
            Column(
                Button(
                    T("📝 Continue my application"), id="resume", on_click=on_file, when="has_draft"
                ),
                Button(T("📝 File an application"), id="file", on_click=on_file, when="can_file"),
                Start(
                    T("📄 My application"),
                    id="status",
                    state=states.CaseStatus.main,
                    when="has_case",
                ),
                OBJECTION_BUTTON,
                LANG_BUTTON,
            ),
            state=states.Menu.main,
            getter=menu_getter,
        ),
    )


def status() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            Format("{status}"),
            Column(OBJECTION_BUTTON, LANG_BUTTON, MENU_BUTTON),
            state=states.CaseStatus.main,
            getter=status_getter,
        ),
    )
