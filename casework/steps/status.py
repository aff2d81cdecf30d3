"""The applicant's status screen, as the bot shows it and staff read it: the case, the notices
that have gone out, the next and last payment, and what the applicant may lawfully do now."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.procedure import Step, blocked
from casework.law.status import REMARKS_OPEN
from casework.steps.hearings import attendance_closed
from casework.steps.notices import sent_notices
from casework.steps.payments import outlook
from casework.steps.procedure import case_facts
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.texts.status import ApplicantActions, status_text


def applicant_actions(env: CaseEnv, app: Application) -> ApplicantActions:
    """The applicant's own steps that the procedure allows now: the same guards the use cases
    apply when the step is taken, so a button shown is a step that will be accepted."""
    facts = case_facts(env, app)
    hearing = app.latest_hearing
    protocol = hearing is not None and hearing.protocol is not None
    return ApplicantActions(
        may_object=not blocked(Step.RECORD_OBJECTION, facts),
        may_attend=attendance_closed(env, app) is None,
        may_read_protocol=protocol and app.status in REMARKS_OPEN,
        may_remark=protocol and not blocked(Step.RECORD_REMARKS, facts),
    )


async def applicant_status(
    session: AsyncSession, env: CaseEnv, app: Application, locale: str
) -> str:
    notices = await sent_notices(session, app.id)
    payments = await outlook(session, app.id)
    actions = applicant_actions(env, app)
    return status_text(app, env, locale, notices=notices, payments=payments, actions=actions)
