"""Applicants' questions: staff list them, read one with its case, and answer it.

Reading takes the right to see cases; answering takes `answer_questions`, which only the roles
that handle cases have (casework.law.roles). An answer is kept with who gave it and, for a case,
goes into the case's audit trail; it reaches the applicant the way the question came.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from casework.law.questions import ANSWER_MAX, Via
from casework.law.roles import PERMISSIONS, Action
from casework.law.status import Status
from casework.steps import questions
from casework.tables.staff import Staff
from casework.texts.answers import sms_room
from casework.texts.i18n import LOCALES, gettext
from gateway.staff.deps import EnvDep, SessionDep, StaffDep, permit
from gateway.staff.errors import Forbidden
from gateway.staff.schemas import _In
from gateway.staff.views import shown_iin, shown_phone

router = APIRouter(prefix="/questions", tags=["questions"])

ById = "/{question_id}"


class AnswerIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=ANSWER_MAX)]


class AskerOut(BaseModel):
    id: int
    name: str
    iin: str  # masked for roles that may not see identity numbers


class QuestionOut(BaseModel):
    id: int
    via: Via
    asked_at: datetime
    locale: str
    text: str
    # The asker proved who they are (a proven Telegram link, the MCDB-registered phone). An
    # unproven account's question names no applicant and no case: answer it in general only.
    proven: bool
    application_id: int | None
    case_status: Status | None
    applicant: AskerOut | None
    phone: str | None  # the phone an SMS question came from (masked as IINs are)
    # How the answer reaches the person: their chat, their phone, or the bot's question screen
    # (a general question from the bot, read when they open it).
    answer_goes: Literal["chat", "sms", "bot_screen"]
    # For an SMS answer: how many characters it carries whole; a longer one is cut at a word and
    # ends with the department's phone.
    sms_room: int | None
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None


def _out(staff: Staff, asked: questions.Asked) -> QuestionOut:
    q, person, app = asked.question, asked.applicant, asked.application
    sms = q.via is Via.SMS and app is not None
    return QuestionOut(
        id=q.id,
        via=q.via,
        asked_at=q.asked_at,
        locale=q.locale,
        text=q.text,
        proven=person is not None,
        application_id=q.application_id,
        case_status=app.status if app is not None else None,
        applicant=(
            AskerOut(id=person.id, name=person.full_name, iin=shown_iin(staff, person.iin))
            if person is not None
            else None
        ),
        phone=shown_phone(staff, q.phone),
        answer_goes="sms" if sms else "chat" if app is not None else "bot_screen",
        sms_room=sms_room(app.id, q.locale) if sms and app is not None else None,
        answer=q.answer,
        answered_at=q.answered_at,
        answered_by=q.answered_by,
    )


async def may_answer(staff: StaffDep) -> Staff:
    """Only staff who handle cases answer; the refusal says so in a sentence (kk and ru too)."""
    if staff.may(Action.ANSWER_QUESTIONS):
        return staff
    raise Forbidden(
        f"Only staff who handle cases may answer applicants' questions; the role {staff.role} "
        "may not.",
        role=staff.role.value,
        action=Action.ANSWER_QUESTIONS.value,
        roles=sorted(r.value for r, acts in PERMISSIONS.items() if Action.ANSWER_QUESTIONS in acts),
        messages={
            loc: gettext(
                loc,
                "Only staff who handle cases may answer applicants' questions. Your role may not.",
            )
            for loc in LOCALES
        },
    )


@router.get("")
async def list_questions(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    session: SessionDep,
    state: Literal["open", "answered", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[QuestionOut]:
    """Open questions oldest first (the longest waiting on top); answered ones newest first."""
    return [_out(staff, a) for a in await questions.listed(session, shown=state, limit=limit)]


@router.get(ById)
async def get_question(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    question_id: int,
    session: SessionDep,
) -> QuestionOut:
    return _out(staff, await questions.one(session, question_id))


@router.post(ById + "/answer")
async def answer_question(
    staff: Annotated[Staff, Depends(may_answer)],
    question_id: int,
    body: AnswerIn,
    session: SessionDep,
    env: EnvDep,
) -> QuestionOut:
    """Answer once (a second answer is 409 `already_answered`); the case does not move."""
    await questions.answer(
        session, env, question_id, body.text, staff_id=staff.id, actor=staff.name
    )
    return _out(staff, await questions.one(session, question_id))
