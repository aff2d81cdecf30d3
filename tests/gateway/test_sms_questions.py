"""A question by SMS (СҰРАҚ / ВОПРОС) through the signed Twilio webhook, answered by staff, and
the answer back to the phone through the worker and a fake Twilio. Only a message that starts
with the word is a question; a question is never an objection, whatever it says."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.questions import DAILY_LIMIT, Via
from casework.law.roles import Role
from casework.law.status import Status
from casework.steps import questions
from casework.steps.staff import add_staff
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.questions import Question
from casework.tables.sms_confirmations import SmsConfirmation
from gateway.sms import segments
from tests.builders import phone_for
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases
from tests.gateway.test_sms_commands import UNKNOWN, _sms
from tests.gateway.test_twilio_delivery import twilio_worker

DEPARTMENT_PHONE = "+77263120000"


async def _questions(case_builder: Cases) -> list[Question]:
    async with case_builder.sessions() as s:
        return list(await s.scalars(select(Question).order_by(Question.id)))


async def _answer(case_builder: Cases, env: CaseEnv, question_id: int, text: str) -> None:
    async with transaction(case_builder.sessions) as s:
        staff, _ = await add_staff(s, name="Дана Омарова", role=Role.INTAKE_OFFICE, now=env.now())
        await questions.answer(s, env, question_id, text, staff_id=staff.id, actor=staff.name)


async def _phone_reads(case_builder: Cases, env: CaseEnv, fake: FakeTwilio, phone: str) -> str:
    """Send what waits in the outbox; the last SMS the phone received."""
    worker, provider = twilio_worker(case_builder, env, fake)
    try:
        await worker.drain()
    finally:
        await provider.close()
    return [m["body"] for m in fake.messages if m["to"] == phone][-1]


@pytest.mark.parametrize(
    ("locale", "body", "asked", "received", "answer"),
    [
        (
            "kk",
            "СҰРАҚ Төлем қай айда түседі?",
            "Төлем қай айда түседі?",
            "сұрағыңыз қабылданды",
            "Желтоқсанда түседі.",
        ),
        (
            "ru",
            "Вопрос: когда придут деньги?",
            "когда придут деньги?",
            "вопрос по заявлению",
            "В декабре.",
        ),
    ],
)
async def test_a_question_by_sms_is_received_answered_and_the_answer_reaches_the_phone(
    client: httpx.AsyncClient,
    case_builder: Cases,
    env: CaseEnv,
    fake_twilio: FakeTwilio,
    locale: str,
    body: str,
    asked: str,
    received: str,
    answer: str,
) -> None:
    app_id = await case_builder.preliminary_refusal(1, locale=locale)
    reply = await _sms(client, phone_for(1), body)
    assert received in reply and str(app_id) in reply
    [question] = await _questions(case_builder)
    assert (question.via, question.text, question.application_id) == (Via.SMS, asked, app_id)

    await _answer(case_builder, env, question.id, answer)
    sms = await _phone_reads(case_builder, env, fake_twilio, phone_for(1))
    assert sms.endswith(answer) and str(app_id) in sms
    [notice] = [
        n for n in await case_builder.notices(app_id) if n.kind is NoticeKind.QUESTION_ANSWER
    ]
    assert notice.channel is NoticeChannel.SMS and notice.segments == 1
    # Asked and answered: the case is where it was, and no objection waits for a "yes".
    app = await case_builder.application(app_id)
    assert app.status is Status.PRELIMINARY_REFUSAL and not app.hearings[-1].objections
    async with case_builder.sessions() as s:
        assert list(await s.scalars(select(SmsConfirmation))) == []


async def test_a_long_answer_is_cut_at_a_word_and_names_the_phone(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio
) -> None:
    await case_builder.registered(1, locale="kk")
    await _sms(client, phone_for(1), "сұрақ Қандай құжаттар керек?")
    [question] = await _questions(case_builder)
    long = "Жеке куәлік, табыс туралы анықтама, дәрігердің қорытындысы және " * 6
    await _answer(case_builder, env, question.id, long)
    sms = await _phone_reads(case_builder, env, fake_twilio, phone_for(1))
    assert segments(sms) <= 2
    assert "…" in sms and sms.endswith(DEPARTMENT_PHONE)


@pytest.mark.parametrize(
    "body",
    [
        "Рахмет",
        "Спасибо за ответ",
        "Сұрағым бар: төлем қашан?",
        "У меня вопрос, когда выплата?",
        "Вопросов нет",
        "Не согласна, это мой вопрос",
    ],
)
async def test_without_the_word_first_it_is_no_question_and_no_act(
    client: httpx.AsyncClient, case_builder: Cases, body: str
) -> None:
    app_id = await case_builder.preliminary_refusal(1, locale="ru")
    reply = await _sms(client, phone_for(1), body)
    assert "ВОПРОС" in reply  # the help names the word to use
    assert await _questions(case_builder) == []
    app = await case_builder.application(app_id)
    assert app.status is Status.PRELIMINARY_REFUSAL and not app.hearings[-1].objections


async def test_a_phone_the_mcdb_does_not_give_the_applicant_cannot_ask_about_a_case(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.registered(1, locale="kk")
    reply = await _sms(client, UNKNOWN, f"СҰРАҚ {app_id} өтінішім қалай?")
    assert DEPARTMENT_PHONE[1:] in re.sub(r"\D", "", reply) and "№" not in reply
    assert await _questions(case_builder) == []


async def test_the_word_alone_a_replay_and_a_day_over_the_limit(
    client: httpx.AsyncClient, case_builder: Cases
) -> None:
    await case_builder.registered(1, locale="ru")
    assert "ВОПРОС" in await _sms(client, phone_for(1), "ВОПРОС")
    first = await _sms(client, phone_for(1), "ВОПРОС когда решение?", sid="SM" + "a" * 32)
    again = await _sms(client, phone_for(1), "ВОПРОС когда решение?", sid="SM" + "a" * 32)
    assert again == first
    for n in range(DAILY_LIMIT - 1):
        await _sms(client, phone_for(1), f"ВОПРОС {n + 10} детей, положено ли?")
    refused = await _sms(client, phone_for(1), "ВОПРОС ещё один")
    assert f"не больше {DAILY_LIMIT} вопросов" in refused and DEPARTMENT_PHONE in refused
    asked = await _questions(case_builder)
    assert len(asked) == DAILY_LIMIT
    # A number that is not one of the phone's cases is part of the question.
    assert asked[1].text == "10 детей, положено ли?"
