"""Buttons under the notices the gateway sends to the chat: object, or confirm attendance.

The callback data is bot.callbacks.NoticeButton; a button only acts on the pressing user's own
case, whatever id it carries.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, StartMode
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import NoticeAction, NoticeButton
from casework.law.errors import DomainError, NotFound
from casework.steps import case_file, hearings
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.texts.i18n import gettext
from dialogs import states


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
        await callback.answer(
            gettext(locale, "This button is not for your application."), show_alert=True
        )
        return None
    return app


async def object_button(
    callback: CallbackQuery,
    callback_data: NoticeButton,
    dialog_manager: DialogManager,
    session: AsyncSession,
    applicant: Applicant | None,
    locale: str,
) -> None:
    app = await _own_case(callback, callback_data, session, applicant, locale)
    if app is not None:
        await callback.answer()
        await dialog_manager.start(
            states.Objection.main, data={"application_id": app.id}, mode=StartMode.RESET_STACK
        )


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
    except DomainError:
        await callback.answer(gettext(locale, "No hearing is scheduled."), show_alert=True)
        return
    await callback.answer(
        gettext(locale, "Thank you. Your attendance at the hearing is confirmed."), show_alert=True
    )


async def unknown_button(callback: CallbackQuery, locale: str) -> None:
    """Notice button data that does not parse (an old or forged button): say so, do nothing."""
    await callback.answer(
        gettext(locale, "This button is not for your application."), show_alert=True
    )


def notice_router() -> Router:
    router = Router(name="notice_buttons")
    router.callback_query.register(
        object_button, NoticeButton.filter(F.action == NoticeAction.OBJECT)
    )
    router.callback_query.register(
        attend_button, NoticeButton.filter(F.action == NoticeAction.ATTEND)
    )
    router.callback_query.register(unknown_button, F.data.startswith(f"{NoticeButton.__prefix__}:"))
    return router
