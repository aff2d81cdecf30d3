"""The main menu and the case status: where the case is, what comes next, the applicant's terms,
and only the buttons for what the applicant may lawfully do now."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, Start
from aiogram_dialog.widgets.text import Format

from casework.steps import case_file
from casework.steps.status import applicant_actions, applicant_status
from dialogs import states
from dialogs.common import (
    applicant_of,
    draft_of,
    env_of,
    go_to_place,
    open_draft,
    session_of,
)
from dialogs.widgets import LANG_BUTTON, MENU_BUTTON, T, locale_of


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
        # Something to do about a preliminary refusal now: object, attend, read, remark.
        "hearing": case is not None and applicant_actions(env_of(dialog_manager), case).any,
    }


async def status_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    applicant = applicant_of(dialog_manager)
    assert applicant is not None
    session = session_of(dialog_manager)
    case = await case_file.visible_case(session, applicant)
    if case is None:
        return {"status": "", "hearing": False}
    env = env_of(dialog_manager)
    text = await applicant_status(session, env, case, locale_of(dialog_manager))
    return {"status": text, "hearing": applicant_actions(env, case).any}


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
                Start(T("❓ Ask the department"), id="question", state=states.Question.main),
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
