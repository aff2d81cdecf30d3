"""The applicant's SMS to the department's number: a status question, or an objection inside the
objection window (SR §15: "by replying to our SMS")."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import DomainError, LateError
from casework.law.status import AWAITING_HEARING, DECIDED
from casework.law.terms import Term
from casework.steps import inbound
from casework.steps.case_file import latest_case_by_phone
from casework.steps.hearings import object_to_refusal
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.texts.i18n import LOCALES, format_short_day, gettext
from casework.texts.labels import label
from casework.texts.storable import storable

# A reply that asks where the case is rather than objecting.
STATUS_WORDS = frozenset({"", "?", "status", "статус", "мәртебе", "күйі", "жағдайы", "қалай"})


def _status_reply(app: Application, loc: str) -> str:
    text = gettext(
        loc, "Application No. {number}: {status}.", number=app.id, status=label(app.status, loc)
    )
    due = app.deadline(Term.DECISION)
    if due and app.status not in DECIDED and not app.decisions:
        text += " " + gettext(loc, "Decision by {decision}.", decision=format_short_day(due))
    return text


async def answer_sms(session: AsyncSession, env: CaseEnv, phone: str, body: str) -> str:
    """The reply to an applicant's SMS: an objection when one is open, else the case status."""
    body = storable(body)
    app = await latest_case_by_phone(session, phone)
    if app is None:
        return " / ".join(
            gettext(
                loc,
                "We found no application for this number. Tel. {phone}",
                phone=env.district.provider.phone,
            )
            for loc in LOCALES
        )
    loc = app.applicant.locale
    if app.status in AWAITING_HEARING and (body.strip().lower() not in STATUS_WORDS):
        try:
            await object_to_refusal(
                session, env, app, text=body.strip(), oral=False, via="sms", actor="applicant"
            )
        except LateError as exc:
            deadline = exc.params.get("deadline")
            return gettext(
                loc,
                "The time to object ended on {deadline}; your message was not recorded as an "
                "objection.",
                deadline=format_short_day(deadline) if isinstance(deadline, date) else "—",
            )
        except DomainError:
            return _status_reply(app, loc)
        return gettext(
            loc, "Your objection on application No. {number} has been recorded.", number=app.id
        )
    return _status_reply(app, loc)


async def answer_once(
    session: AsyncSession,
    env: CaseEnv,
    *,
    provider: str,
    message_id: str | None,
    phone: str,
    body: str,
) -> str:
    """`answer_sms`, once per provider message: a delivery of the same message again (a retry, a
    replay, a copy at the same moment) gets the first answer and changes nothing."""
    if not message_id:
        return await answer_sms(session, env, phone, body)
    ids = {"provider": provider, "message_id": message_id}
    if not await inbound.claim(session, **ids, at=env.now()):
        return await inbound.earlier_answer(session, **ids)
    reply = await answer_sms(session, env, phone, body)
    await inbound.answered(session, **ids, reply=reply)
    return reply
