"""A question to the department: who may ask about a case, how many a day, where the answer
goes, and that neither asking nor answering ever acts on the case."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.district import District
from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind
from casework.law.questions import DAILY_LIMIT
from casework.law.roles import Role
from casework.law.rules import Channel
from casework.law.status import Status
from casework.steps import accounts, audit, questions
from casework.steps.case_file import load_application
from casework.steps.questions import AlreadyAnswered, QuestionRefused
from casework.steps.staff import add_staff
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.staff import Staff
from casework.texts.answers import answer_sms, sms_room
from casework.texts.words import SMS_LIMIT, sms_units
from gateway.sms import segments
from tests.builders import local, phone_for
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases

Sessions = async_sessionmaker[AsyncSession]
CHAT = 777
SECRETARY = "Айгүл Серікова"


@pytest.fixture
async def cases(sessions: Sessions, env: CaseEnv) -> Cases:
    async with transaction(sessions) as s:  # the secretary who answers
        await add_staff(s, name=SECRETARY, role=Role.COMMISSION_SECRETARY, now=env.now())
    return Cases(sessions, env)


async def _applicant(s: AsyncSession, app_id: int) -> Applicant:
    return (await load_application(s, app_id)).applicant


async def _proven_case(cases: Cases, env: CaseEnv) -> int:
    """A registered case whose applicant's Telegram account has proven the link."""
    app_id = await cases.preliminary_refusal(1, channel=Channel.BOT, telegram_id=CHAT)
    async with transaction(cases.sessions) as s:
        applicant = await _applicant(s, app_id)
        await accounts.link(s, env, applicant, CHAT, accounts.Proof.MCDB_PHONE, "applicant")
    return app_id


async def _ask(sessions: Sessions, env: CaseEnv, text: str, telegram_id: int = CHAT) -> int:
    async with transaction(sessions) as s:
        applicant = await accounts.account_holder(s, telegram_id)
        q = await questions.ask_in_chat(
            s, env, telegram_id=telegram_id, applicant=applicant, text=text, locale="kk"
        )
        return q.id


async def _answer(sessions: Sessions, env: CaseEnv, question_id: int, text: str) -> None:
    async with transaction(sessions) as s:
        staff = await s.scalar(select(Staff).where(Staff.name == SECRETARY))
        assert staff is not None
        await questions.answer(s, env, question_id, text, staff_id=staff.id, actor=staff.name)


async def test_a_proven_account_asks_about_its_case_and_the_answer_comes_to_its_chat(
    cases: Cases, env: CaseEnv, sessions: Sessions
) -> None:
    app_id = await _proven_case(cases, env)
    before = await cases.application(app_id)
    qid = await _ask(sessions, env, "Қарсылығым бар, тыңдау қашан?")
    await _answer(sessions, env, qid, "Тыңдау 19 қарашада сағат 11:00-де.")

    [notice] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.QUESTION_ANSWER]
    assert (notice.channel, notice.address) == (NoticeChannel.CHAT, str(CHAT))
    assert notice.channel_reason is ChannelReason.ASKED_THERE
    assert "Тыңдау 19 қарашада сағат 11:00-де." in notice.text
    assert "Қарсылығым бар, тыңдау қашан?" in notice.text
    # A question that says "objection" is still only a question: the case did not move.
    after = await cases.application(app_id)
    assert after.status is before.status is Status.PRELIMINARY_REFUSAL
    assert not after.hearings[-1].objections
    async with sessions() as s:
        [event] = [e for e in await audit.trail(s, app_id) if e.action == "question_answered"]
        asked = await questions.one(s, qid)
    assert event.actor == SECRETARY
    assert (event.from_status, event.to_status) == (Status.PRELIMINARY_REFUSAL,) * 2
    assert asked.question.answered_by == SECRETARY and asked.application is not None


async def test_an_unproven_account_asks_only_in_general_and_reads_the_answer_in_the_bot(
    cases: Cases, env: CaseEnv, sessions: Sessions
) -> None:
    app_id = await cases.preliminary_refusal(1, channel=Channel.BOT, telegram_id=CHAT)
    qid = await _ask(sessions, env, "Қандай құжат керек?")
    async with sessions() as s:
        asked = await questions.one(s, qid)
    assert asked.applicant is None and asked.application is None
    await _answer(sessions, env, qid, "Жеке куәлік пен анықтама.")
    notices = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.QUESTION_ANSWER]
    assert notices == []  # nothing names the case to an account not proven to be its holder
    async with sessions() as s:
        holder = await accounts.account_holder(s, CHAT)
        shown = await questions.asked_from_chat(s, CHAT, holder)
    assert [q.answer for q in shown] == ["Жеке куәлік пен анықтама."]


async def test_an_answer_never_goes_to_an_account_that_lost_the_link(
    cases: Cases, env: CaseEnv, sessions: Sessions
) -> None:
    app_id = await _proven_case(cases, env)
    qid = await _ask(sessions, env, "Шешім қашан болады?")
    async with transaction(sessions) as s:
        await accounts.revoke(s, env, await _applicant(s, app_id), actor="Дана Омарова")
    await _answer(sessions, env, qid, "Шешім 26 қарашаға дейін.")
    answers = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.QUESTION_ANSWER]
    # The law's own channels instead: the MCDB-registered phone.
    assert [(n.channel, n.address) for n in answers] == [(NoticeChannel.SMS, phone_for(1))]
    async with sessions() as s:
        assert await questions.asked_from_chat(s, CHAT, None) == []


async def test_a_question_is_answered_once(cases: Cases, env: CaseEnv, sessions: Sessions) -> None:
    app_id = await _proven_case(cases, env)
    qid = await _ask(sessions, env, "Төлем қашан?")
    await _answer(sessions, env, qid, "Келесі айда.")
    with pytest.raises(AlreadyAnswered):
        await _answer(sessions, env, qid, "Басқа жауап.")
    async with sessions() as s:
        assert (await questions.one(s, qid)).question.answer == "Келесі айда."
    answers = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.QUESTION_ANSWER]
    assert len(answers) == 1


async def test_a_few_questions_a_day_then_tomorrow_again(
    cases: Cases, env: CaseEnv, sessions: Sessions, clock: FixedClock
) -> None:
    await _proven_case(cases, env)
    clock.set(local(2026, 11, 16, 23, 50))
    for n in range(DAILY_LIMIT):
        await _ask(sessions, env, f"Сұрақ {n}")
    with pytest.raises(QuestionRefused) as refused:
        await _ask(sessions, env, "Тағы бір сұрақ")
    assert refused.value.params == {"reason": "too_many", "limit": DAILY_LIMIT}
    async with sessions() as s:
        with pytest.raises(QuestionRefused):
            await questions.may_ask_in_chat(s, env, CHAT)
    clock.set(local(2026, 11, 17, 0, 5))  # a new day in Almaty
    await _ask(sessions, env, "Тағы бір сұрақ")
    # Another account has its own day.
    await _ask(sessions, env, "Сұрақ", telegram_id=CHAT + 1)


@pytest.mark.parametrize(
    ("text", "reason"), [("   ", "empty"), ("", "empty"), ("ә" * 2001, "too_long")]
)
async def test_an_empty_or_endless_question_is_refused(
    env: CaseEnv, sessions: Sessions, text: str, reason: str
) -> None:
    with pytest.raises(QuestionRefused) as refused:
        await _ask(sessions, env, text)
    assert refused.value.params["reason"] == reason


@pytest.mark.parametrize("loc", ["kk", "ru"])
def test_the_answer_by_sms_is_whole_when_it_fits_and_else_cut_at_a_word(
    district: District, loc: str
) -> None:
    room = sms_room(123456, loc)
    whole = "а" * room
    assert answer_sms(123456, whole, district.provider.compact_phone, loc).endswith(whole)
    long = ("Төлем келесі айдың жиырмасына дейін түседі, " * 20).strip()
    sms = answer_sms(123456, long, district.provider.compact_phone, loc)
    assert sms_units(sms) <= SMS_LIMIT and segments(sms) <= 2
    assert "123456" in sms and sms.endswith("+77263120000")  # the phone to hear the rest
    cut = sms.split(": ", 1)[1].rsplit("…", 1)[0]
    assert long.startswith(cut) and long[len(cut)] in " ,"  # never half a word
    link = "https://example.kz/" + "x" * 300
    assert sms_units(answer_sms(1, link, district.provider.compact_phone, loc)) <= SMS_LIMIT
