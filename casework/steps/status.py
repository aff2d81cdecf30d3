"""The applicant's status screen, as the bot shows it and staff read it: the case, the notices
that have gone out, and the next and last payment."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from casework.steps.notices import sent_notices
from casework.steps.payments import outlook
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.texts.status import status_text


async def applicant_status(
    session: AsyncSession, env: CaseEnv, app: Application, locale: str
) -> str:
    notices = await sent_notices(session, app.id)
    payments = await outlook(session, app.id)
    return status_text(app, env, locale, notices=notices, payments=payments)
