"""A question to the department from the main menu, in Kazakh and Russian, through the real
Dispatcher and a fake Telegram: a proven applicant gets the staff's answer as a chat message; an
account that has not proven its IIN asks only in general, reads the answer on the question
screen, and is never shown anything of a case."""

from __future__ import annotations

import httpx
import pytest
from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeChannel
from casework.law.questions import DAILY_LIMIT
from casework.law.roles import Role
from casework.law.rules import Channel, Ground
from casework.law.status import Status
from casework.steps import accounts, intake
from casework.steps.case_file import load_application
from casework.steps.staff import add_staff
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.tables.applicants import Applicant
from casework.tables.notices import Notice
from casework.tables.questions import Question
from gateway.app import create_app
from gateway.providers.telegram import TelegramProvider
from gateway.worker import Worker
from tests.bot.flows import OWN_PHONE, identify, t
from tests.bot.telegram import Phone
from tests.bot.test_objection import refused_case

Sessions = async_sessionmaker[AsyncSession]
ASK = "❓ Ask the department"
WRITE = "✍️ Write a question"
NOT_AN_ACT = "A question is not an objection or a complaint: it does not change your application."


async def _answer(runtime: Runtime, text: str) -> None:
    """The secretary answers the newest open question through the staff API."""
    async with transaction(runtime.sessions) as s:
        _, token = await add_staff(
            s, name="Айгүл Серікова", role=Role.COMMISSION_SECRETARY, now=runtime.clock.now()
        )
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://komek.test") as http:
        [question] = (await http.get("/staff/questions", headers=headers)).json()
        url = f"/staff/questions/{question['id']}/answer"
        r = await http.post(url, json={"text": text}, headers=headers)
    assert r.status_code == 200, r.text


async def _deliver(sessions: Sessions, env: CaseEnv, bot: Bot) -> None:
    """The gateway's worker sends what waits in the outbox to the chat."""
    await Worker(sessions, env, {NoticeChannel.CHAT: TelegramProvider(bot, per_chat=0)}).drain()


@pytest.mark.parametrize(
    ("locale", "question", "answer"),
    [
        ("kk", "Тыңдауға баламды ала келуге бола ма?", "Иә, бола береді."),
        ("ru", "Можно прийти на заслушивание с сыном?", "Да, можно."),
    ],
)
async def test_a_proven_applicant_asks_and_the_answer_comes_into_the_chat(
    phone,
    sessions: Sessions,
    env: CaseEnv,
    runtime: Runtime,
    bot: Bot,
    locale: str,
    question: str,
    answer: str,
) -> None:
    p: Phone = phone()
    app_id = await refused_case(sessions, env, p.user.id, locale, phone=OWN_PHONE)
    async with transaction(sessions) as s:
        applicant = await s.scalar(select(Applicant))
        await accounts.link(s, env, applicant, p.user.id, accounts.Proof.MCDB_PHONE, "applicant")

    await p.send("/start")
    await p.tap(t(locale, ASK))
    about = t(
        locale,
        "Here you can ask the department a question about your application No. {number}. "
        "Staff will answer here in the chat.",
        number=app_id,
    )
    assert p.text.startswith(about) and t(locale, NOT_AN_ACT) in p.text
    await p.tap(t(locale, WRITE))
    assert p.text == t(locale, "Write your question in one message.")
    await p.send_photo(b"\xff\xd8")  # not words: asked again, nothing kept
    assert t(locale, "Please write your question in words.") in p.said()
    await p.send(question)
    assert p.text.startswith(
        t(locale, "Your question is sent to the department. Staff will answer here in the chat.")
    )
    await _answer(runtime, answer)
    await _deliver(sessions, env, bot)

    message = p.said()[-1]
    assert message.startswith(t(locale, "Dear {name},", name="Сейітқали Әлия"))
    assert question in message and answer in message
    # The case is where it was: a question is no objection.
    async with sessions() as s:
        app = await load_application(s, app_id)
    assert app.status is Status.PRELIMINARY_REFUSAL and not app.hearings[-1].objections
    await p.send("/start")
    await p.tap(t(locale, "⚖️ Objection and hearing"))  # still open to object
    assert t(locale, "✍️ Object in writing") in p.buttons()
    await p.tap(t(locale, "🏠 Main menu"))
    await p.tap(t(locale, ASK))
    assert answer in p.text and question in p.text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_an_unproven_account_asks_in_general_and_never_sees_a_case(
    phone, sessions: Sessions, env: CaseEnv, runtime: Runtime, bot: Bot, locale: str
) -> None:
    p: Phone = phone()
    await identify(p, locale)  # the IIN typed, a phone the MCDB does not register to it
    # A case on paper under that IIN: nothing proves this account is its applicant's.
    async with transaction(sessions) as s:
        applicant = await s.scalar(select(Applicant))
        paper = await intake.start_application(
            s, env, applicant, channel=Channel.PROVIDER_OFFICE, actor="Омарова",
            ground=Ground.DISEASE,
        )  # fmt: skip
        paper.status = Status.REGISTERED
    await p.tap(t(locale, ASK))
    screen = p.text
    assert "№" not in screen and "+7 (72631) 2-00-00" in screen
    await p.tap(t(locale, WRITE))
    await p.send("Өтінішім қалай?")
    done = t(
        locale,
        "Your question is sent to the department. When the answer is ready, you can read it "
        "here: press «{button}» in the main menu.",
        button=t(locale, ASK),
    )
    assert p.text.startswith(done)
    asked = await questions_in(sessions)
    assert [(q.applicant_id, q.application_id) for q in asked] == [(None, None)]

    await _answer(runtime, "Жеке куәлігіңізбен бөлімге келіңіз.")
    await _deliver(sessions, env, bot)
    assert "Жеке куәлігіңізбен бөлімге келіңіз." not in " ".join(p.said())  # nothing pushed
    await p.send("/start")
    await p.tap(t(locale, ASK))
    assert "Жеке куәлігіңізбен бөлімге келіңіз." in p.text  # read where it was asked
    assert "№" not in " ".join(p.said())
    async with sessions() as s:
        assert list(await s.scalars(select(Notice).where(Notice.application_id == paper.id))) == []


async def test_the_days_limit_is_said_before_a_question_is_typed(
    phone, sessions: Sessions, env: CaseEnv
) -> None:
    p: Phone = phone()
    await identify(p, "ru")
    for n in range(DAILY_LIMIT):
        await p.tap(t("ru", ASK))
        await p.tap(t("ru", WRITE))
        await p.send(f"Вопрос {n}")
        await p.tap(t("ru", "🏠 Main menu"))
    await p.tap(t("ru", ASK))
    await p.tap(t("ru", WRITE))
    refusal = t(
        "ru",
        "You may ask at most {limit} questions a day. Write again tomorrow, or call the "
        "department: {phone}",
        limit=DAILY_LIMIT,
        phone=env.district.provider.phone,
    )
    assert refusal in p.said()
    # Said before anything is typed, and the screen with the questions comes back below it.
    assert f"❓ Вопрос 2\n{t('ru', '⏳ Waiting for an answer')}" in p.text
    assert t("ru", WRITE) in p.buttons()
    assert len(await questions_in(sessions)) == DAILY_LIMIT


async def questions_in(sessions: Sessions) -> list[Question]:
    async with sessions() as s:
        return list(await s.scalars(select(Question).order_by(Question.id)))
