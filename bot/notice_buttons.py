"""Buttons under the notices the gateway sends to the chat: object, confirm attendance, read the
hearing protocol (and send remarks on it).

The callback data is bot.callbacks.NoticeButton; a button only acts on the pressing user's own
case, whatever id it carries. A notice is what the law required to be sent, so it stays as sent:
what a button opens comes as a new message below it, and the notice keeps its text and buttons.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.entities import OldMessage
from aiogram_dialog.manager.message_manager import MessageManager
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import NoticeAction, NoticeButton
from casework.law.errors import NotFound, RuleError
from casework.steps import case_file, hearings
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.texts.i18n import N_, gettext
from casework.texts.status import PENDING_HEARING
from dialogs import states
from dialogs.objection import NO_ATTENDANCE

NO_PROTOCOL = N_("There is no hearing protocol to read now.")
DECIDED = N_("A decision has been made on your application. Its status is below.")
NOT_YOURS = N_("This button is not for your application.")

# The notice whose button was pressed while this update is handled (one task per update).
_pressed_notice: ContextVar[int | None] = ContextVar("pressed_notice", default=None)


class NoticeKeepingMessageManager(MessageManager):
    """aiogram-dialog takes the buttons off the message a dialog was opened from; a notice keeps
    its own (its "Object" and "I will attend" still work after the dialog is left)."""

    async def remove_inline_kbd(self, bot: Bot, old_message: OldMessage | None) -> Message | None:
        if old_message is not None and old_message.message_id == _pressed_notice.get():
            return None
        return await super().remove_inline_kbd(bot, old_message)


async def _own_case(
    callback: CallbackQuery,
    button: NoticeButton,
    session: AsyncSession,
    applicant: Applicant | None,
    locale: str,
) -> Application | None:
    try:
        app: Application | None = await case_file.load_application(session, button.application_id)
    except NotFound:
        app = None
    if app is None or applicant is None or not case_file.seen_by_account(applicant, app):
        await callback.answer(gettext(locale, NOT_YOURS), show_alert=True)
        return None
    return app


async def _open_below(
    callback: CallbackQuery, manager: DialogManager, state: State, **data: Any
) -> None:
    """Open a screen as a new message under the notice; the notice is not touched."""
    notice = callback.message.message_id if callback.message is not None else None
    token = _pressed_notice.set(notice)
    try:
        await manager.start(
            state, data=data or None, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
        )
    finally:
        _pressed_notice.reset(token)


async def object_button(
    callback: CallbackQuery,
    callback_data: NoticeButton,
    dialog_manager: DialogManager,
    session: AsyncSession,
    applicant: Applicant | None,
    locale: str,
) -> None:
    app = await _own_case(callback, callback_data, session, applicant, locale)
    if app is None:
        return
    if app.status not in PENDING_HEARING:  # decided since: the status says how
        await callback.answer(gettext(locale, DECIDED), show_alert=True)
        await _open_below(callback, dialog_manager, states.CaseStatus.main)
        return
    await callback.answer()
    await _open_below(callback, dialog_manager, states.Objection.main, application_id=app.id)


async def attend_button(
    callback: CallbackQuery,
    callback_data: NoticeButton,
    session: AsyncSession,
    env: CaseEnv,
    applicant: Applicant | None,
    locale: str,
) -> None:
    app = await _own_case(callback, callback_data, session, applicant, locale)
    if app is None:
        return
    try:
        await hearings.confirm_attendance(session, env, app)
    except RuleError as exc:
        msgid = NO_ATTENDANCE.get(str(exc.params.get("reason")), NO_ATTENDANCE["none"])
        await callback.answer(gettext(locale, msgid), show_alert=True)
        return
    await callback.answer(
        gettext(locale, "Thank you. Your attendance at the hearing is confirmed."), show_alert=True
    )


async def protocol_button(
    callback: CallbackQuery,
    callback_data: NoticeButton,
    dialog_manager: DialogManager,
    session: AsyncSession,
    env: CaseEnv,
    applicant: Applicant | None,
    locale: str,
) -> None:
    """The protocol on screen is the protocol read (SR §15): the remarks window starts."""
    app = await _own_case(callback, callback_data, session, applicant, locale)
    if app is None:
        return
    try:
        await hearings.read_protocol(session, env, app)
    except RuleError:  # a newer preliminary refusal: its hearing has no protocol yet
        await callback.answer(gettext(locale, NO_PROTOCOL), show_alert=True)
        return
    await callback.answer()
    await _open_below(callback, dialog_manager, states.Objection.protocol, application_id=app.id)


async def unknown_button(callback: CallbackQuery, locale: str) -> None:
    """Notice button data that does not parse (an old or forged button): say so, do nothing."""
    await callback.answer(gettext(locale, NOT_YOURS), show_alert=True)


def notice_router() -> Router:
    router = Router(name="notice_buttons")
    for action, handler in (
        (NoticeAction.OBJECT, object_button),
        (NoticeAction.ATTEND, attend_button),
        (NoticeAction.PROTOCOL, protocol_button),
    ):
        router.callback_query.register(handler, NoticeButton.filter(F.action == action))
    router.callback_query.register(unknown_button, F.data.startswith(f"{NoticeButton.__prefix__}:"))
    return router
