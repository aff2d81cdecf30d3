"""One database transaction per update, the applicant, and their language, for every handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, Update, User

from bot.storage import current_session
from casework.steps.accounts import account_holder
from casework.steps.inbound import claim
from casework.system.runtime import Runtime
from casework.texts.i18n import LOCALES


class CaseworkMiddleware(BaseMiddleware):
    """Opens the update's unit of work; the FSM storage writes through it too (bot.storage)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.runtime.sessions() as session, session.begin():
            token = current_session.set(session)
            try:
                # Telegram delivers an update again when it thinks the first try failed.
                if type(event) is Update and not await claim(
                    session,
                    provider="telegram",
                    message_id=str(event.update_id),
                    at=self.runtime.clock.now(),
                ):
                    return None
                user: User | None = data.get("event_from_user")
                applicant = None
                if user is not None:
                    applicant = await account_holder(session, user.id)
                chosen = applicant.locale if applicant is not None else None
                fsm: FSMContext | None = data.get("state")
                if chosen is None and fsm is not None:
                    chosen = (await fsm.get_data()).get("locale")
                data.update(
                    session=session,
                    env=await self.runtime.env(session),
                    runtime=self.runtime,
                    applicant=applicant,
                    locale=chosen or _hint(user),
                    locale_chosen=chosen is not None,
                )
                return await handler(event, data)
            finally:
                current_session.reset(token)


def _hint(user: User | None) -> str:
    """Until they choose, the language their Telegram app uses, if it is one of ours."""
    code = (user.language_code or "")[:2] if user is not None else ""
    return code if code in LOCALES else "kk"
