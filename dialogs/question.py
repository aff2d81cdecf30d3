"""A question to the department (casework/steps/questions.py): written here, answered by staff.

A proven account asks about its case, and the answer comes into the chat as a message. An account
that has not proven its IIN asks in general: it is told nothing of a case, and reads the answer
on this screen. Whatever a question says, it is no objection and no remarks: the screen says so.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message, User
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import ManagedTextInput, MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from casework.steps import questions
from casework.steps.questions import QuestionRefused
from casework.tables.questions import Question
from casework.texts.answers import quoted
from casework.texts.i18n import N_, gettext
from casework.texts.questions import REFUSED, question_refused
from dialogs import states
from dialogs.common import applicant_of, env_of, session_of
from dialogs.widgets import LANG_BUTTON, MENU_BUTTON, T, locale_of

ASK = N_("❓ Ask the department")  # the main menu's button (dialogs/status.py)
# What the screen lists: the newest questions, as many as fit one Telegram message.
SHOWN_MAX = 3500


def _user(manager: DialogManager) -> User:
    user: User = manager.middleware_data["event_from_user"]
    return user


async def _refuse(
    event: Message | CallbackQuery, manager: DialogManager, exc: QuestionRefused
) -> None:
    phone = env_of(manager).district.provider.phone
    text = question_refused(locale_of(manager), exc, phone)
    message = event.message if isinstance(event, CallbackQuery) else event
    assert message is not None
    await message.answer(text)
    manager.show_mode = ShowMode.SEND  # the screen again below the message, buttons last


async def on_write(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    try:
        # Said before a long text is typed, not after.
        await questions.may_ask_in_chat(session_of(manager), env_of(manager), _user(manager).id)
    except QuestionRefused as exc:
        await _refuse(callback, manager, exc)
        return
    await manager.switch_to(states.Question.text)


async def on_text(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    try:
        question = await questions.ask_in_chat(
            session_of(manager),
            env_of(manager),
            telegram_id=_user(manager).id,
            applicant=applicant_of(manager),
            text=text,
            locale=locale_of(manager),
        )
    except QuestionRefused as exc:
        await _refuse(message, manager, exc)
        if exc.params["reason"] == "too_many":
            await manager.switch_to(states.Question.main)
        return
    manager.dialog_data["about_case"] = question.application_id is not None
    await manager.switch_to(states.Question.done)


async def on_not_text(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    await message.answer(gettext(locale_of(manager), REFUSED["empty"]))


def _listed(qs: list[Question], loc: str) -> str:
    """The newest questions with their answers, as many as one message holds."""
    entries: list[str] = []
    for q in qs:
        reply = (
            f"💬 {q.answer}" if q.answer is not None else gettext(loc, "⏳ Waiting for an answer")
        )
        entry = f"❓ {quoted(q.text)}\n{reply}"
        if entries and sum(map(len, entries)) + len(entry) > SHOWN_MAX:
            break
        entries.append(entry)
    return "\n\n".join(entries)


async def main_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    loc, session = locale_of(dialog_manager), session_of(dialog_manager)
    applicant, user_id = applicant_of(dialog_manager), _user(dialog_manager).id
    phone = env_of(dialog_manager).district.provider.phone
    case = await questions.chat_case(session, applicant, user_id)
    if case is not None:
        about = gettext(
            loc,
            "Here you can ask the department a question about your application No. {number}. "
            "Staff will answer here in the chat.",
            number=case.id,
        )
    elif questions.proven(applicant, user_id) is not None:
        about = gettext(
            loc,
            "Here you can ask the department a question. The answer will be on this screen.",
        )
    else:
        # Never a word of a case to an account that has not proven whose it is.
        about = gettext(
            loc,
            "Here you can ask the department a general question. The answer will be on this "
            "screen. We cannot answer about an application here until your identity is "
            "confirmed: come to the department with your identity card or call {phone}.",
            phone=phone,
        )
    asked = await questions.asked_from_chat(session, user_id, applicant)
    return {"about": about, "questions": _listed(asked, loc), "has_questions": bool(asked)}


async def done_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    loc = locale_of(dialog_manager)
    if dialog_manager.dialog_data.get("about_case"):
        done = gettext(
            loc, "Your question is sent to the department. Staff will answer here in the chat."
        )
    else:
        done = gettext(
            loc,
            "Your question is sent to the department. When the answer is ready, you can read "
            "it here: press «{button}» in the main menu.",
            button=gettext(loc, ASK),
        )
    return {"done": done}


NOT_AN_ACT = N_(
    "A question is not an objection or a complaint: it does not change your application."
)


def dialog() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            Format("{about}"),
            T(NOT_AN_ACT),
            T("Your questions:", when="has_questions"),
            Format("{questions}", when="has_questions"),
            Column(
                Button(T("✍️ Write a question"), id="write", on_click=on_write),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Question.main,
            getter=main_getter,
        ),
        Window(
            T("Write your question in one message."),
            TextInput(id="question", on_success=on_text),
            MessageInput(on_not_text),
            Column(SwitchTo(T("⬅️ Back"), id="back", state=states.Question.main), LANG_BUTTON),
            state=states.Question.text,
        ),
        Window(
            Format("{done}"),
            T(NOT_AN_ACT),
            Column(MENU_BUTTON, LANG_BUTTON),
            state=states.Question.done,
            getter=done_getter,
        ),
    )
