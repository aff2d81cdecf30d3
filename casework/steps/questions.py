"""A question to the department and the staff's answer (casework/law/questions.py).

Asked in the bot or by SMS (`СҰРАҚ` / `ВОПРОС`), answered by staff. A question is only ever
kept as the person's words: it records no objection, no remarks, no attendance, moves no case
and starts no term, whatever it says.

Only a proven asker asks about a case: a Telegram account whose link to the IIN is proven
(casework/steps/accounts.py), or the phone the MCDB registers to the applicant (the SMS replies
find it). Its answer goes back the way the question came, through the outbox
(NoticeKind.QUESTION_ANSWER). An unproven account asks in general: its question names no
applicant and no case, and its answer is read on the bot's question screen (the outbox carries
only a case's messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import DomainError, RuleError
from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind
from casework.law.questions import ANSWER_MAX, DAILY_LIMIT, TEXT_MAX, Via
from casework.steps import audit, rows
from casework.steps.case_file import load_application, visible_case
from casework.steps.notices import Route, enqueue, phone_registered
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.questions import Question
from casework.texts.storable import storable

Shown = Literal["open", "answered", "all"]


class QuestionRefused(RuleError):
    """`reason`: empty, too_long (with `limit`), too_many (with `limit`, a day's questions)."""

    code = "question_refused"


class AlreadyAnswered(DomainError):
    code = "already_answered"


def _words(text: str, limit: int, what: str) -> str:
    words = storable(text).strip()
    if not words:
        raise QuestionRefused(f"the {what} is empty", reason="empty")
    if len(words) > limit:
        raise QuestionRefused(f"the {what} is longer than {limit}", reason="too_long", limit=limit)
    return words


async def _asked_today(session: AsyncSession, env: CaseEnv, asker: ColumnElement[bool]) -> int:
    since = datetime.combine(env.today(), time(0), env.calendar.tz)
    stmt = select(func.count(Question.id)).where(Question.asked_at >= since, asker)
    return int(await session.scalar(stmt) or 0)


async def _within_the_day(session: AsyncSession, env: CaseEnv, asker: ColumnElement[bool]) -> None:
    if await _asked_today(session, env, asker) >= DAILY_LIMIT:
        raise QuestionRefused("too many questions today", reason="too_many", limit=DAILY_LIMIT)


async def may_ask_in_chat(session: AsyncSession, env: CaseEnv, telegram_id: int) -> None:
    """Refuses (too_many) before the person types a question the day's limit would refuse."""
    await _within_the_day(session, env, Question.telegram_id == telegram_id)


async def _ask(
    session: AsyncSession, env: CaseEnv, asker: ColumnElement[bool], question: Question
) -> Question:
    """Keep the question, within its length and the asker's day (`asker` picks their rows)."""
    question.text = _words(question.text, TEXT_MAX, "question")
    await _within_the_day(session, env, asker)
    question.asked_at = env.now()
    session.add(question)
    await session.flush()
    return question


def proven(applicant: Applicant | None, telegram_id: int) -> Applicant | None:
    """The applicant this account has proven it is, if it has."""
    if applicant is None or applicant.telegram_id != telegram_id:
        return None
    return applicant if applicant.telegram_verified else None


async def chat_case(
    session: AsyncSession, applicant: Applicant | None, telegram_id: int
) -> Application | None:
    """The case a question from this account is about: its newest, once the link is proven."""
    holder = proven(applicant, telegram_id)
    return None if holder is None else await visible_case(session, holder)


async def ask_in_chat(
    session: AsyncSession,
    env: CaseEnv,
    *,
    telegram_id: int,
    applicant: Applicant | None,
    text: str,
    locale: str,
) -> Question:
    holder = proven(applicant, telegram_id)
    case = await chat_case(session, applicant, telegram_id)
    question = Question(
        via=Via.CHAT,
        locale=locale,
        text=text,
        telegram_id=telegram_id,
        applicant_id=holder.id if holder else None,
        application_id=case.id if case else None,
    )
    return await _ask(session, env, Question.telegram_id == telegram_id, question)


async def ask_by_sms(
    session: AsyncSession,
    env: CaseEnv,
    *,
    phone: str,
    application: Application,
    text: str,
    message_id: str | None,
) -> Question:
    """`phone` is the one the MCDB registers to the case's applicant (the caller made sure)."""
    question = Question(
        via=Via.SMS,
        locale=application.applicant.locale,
        text=text,
        phone=phone,
        message_id=message_id,
        applicant_id=application.applicant_id,
        application_id=application.id,
    )
    return await _ask(session, env, Question.phone == phone, question)


async def _route_back(
    session: AsyncSession, question: Question, applicant: Applicant
) -> list[Route] | None:
    """The way the question came, while it still proves the person; else the law's channels
    (None), so an answer about a case never goes to an account or phone no longer theirs."""
    if question.via is Via.CHAT and proven(applicant, question.telegram_id or 0):
        return [Route(NoticeChannel.CHAT, ChannelReason.ASKED_THERE, str(question.telegram_id))]
    phone = question.phone if question.via is Via.SMS else None
    if phone and await phone_registered(session, applicant.iin, phone):
        return [Route(NoticeChannel.SMS, ChannelReason.ASKED_THERE, phone)]
    return None


async def answer(
    session: AsyncSession,
    env: CaseEnv,
    question_id: int,
    text: str,
    *,
    staff_id: int,
    actor: str,
) -> Question:
    """Record the answer, kept with who gave it; a case's answer goes out through the outbox
    and into the case's audit trail (the case itself does not move)."""
    question = await rows.get(
        session, Question, question_id, what="question", key="question_id", for_update=True
    )
    if question.answered:
        raise AlreadyAnswered(
            f"question {question_id} is already answered",
            question_id=question_id,
            answered_by=question.answered_by,
        )
    question.answer = _words(text, ANSWER_MAX, "answer")
    question.answered_at, question.answered_by, question.answered_by_id = env.now(), actor, staff_id
    if question.application_id is not None:
        app = await load_application(session, question.application_id)
        payload = {"question_id": question.id, "question": question.text, "answer": question.answer}
        routes = await _route_back(session, question, app.applicant)
        await enqueue(session, env, app, NoticeKind.QUESTION_ANSWER, payload, routes=routes)
        reason = f"question {question.id}"
        await audit.record(
            session, app, "question_answered", actor=actor, at=env.now(), reason=reason
        )
    await session.flush()
    return question


# ---------------------------------------------------------------- what staff and the bot read


@dataclass(frozen=True)
class Asked:
    """A question with the applicant and the case it names (none for a general one)."""

    question: Question
    applicant: Applicant | None
    application: Application | None


def _asked() -> Select[Question, Applicant, Application]:  # outer joins: None when general
    return (
        select(Question, Applicant, Application)
        .outerjoin(Applicant, Question.applicant_id == Applicant.id)
        .outerjoin(Application, Question.application_id == Application.id)
    )


async def listed(session: AsyncSession, *, shown: Shown = "open", limit: int = 200) -> list[Asked]:
    """Open questions oldest first (the longest waiting on top), answered ones newest first."""
    stmt = _asked()
    if shown == "open":
        stmt = stmt.where(Question.answered_at.is_(None)).order_by(Question.id)
    elif shown == "answered":
        stmt = stmt.where(Question.answered_at.is_not(None))
        stmt = stmt.order_by(Question.answered_at.desc(), Question.id.desc())
    else:
        stmt = stmt.order_by(Question.answered_at.is_not(None), Question.id)
    return [Asked(q, person, app) for q, person, app in await session.execute(stmt.limit(limit))]


async def one(session: AsyncSession, question_id: int) -> Asked:
    rows.check_id(question_id, what="question", key="question_id")
    found = (await session.execute(_asked().where(Question.id == question_id))).one_or_none()
    if found is None:
        raise rows.not_found(question_id, what="question", key="question_id")
    q, person, app = found
    return Asked(q, person, app)


async def asked_from_chat(
    session: AsyncSession, telegram_id: int, applicant: Applicant | None, *, limit: int = 5
) -> list[Question]:
    """This account's latest questions, newest first: its general ones, and those about a case
    only while the account is still the proven holder of that applicant."""
    holder = proven(applicant, telegram_id)
    stmt = (
        select(Question)
        .where(Question.telegram_id == telegram_id)
        .order_by(Question.id.desc())
        .limit(limit)
    )
    return [
        q
        for q in await session.scalars(stmt)
        if q.applicant_id is None or (holder is not None and q.applicant_id == holder.id)
    ]
