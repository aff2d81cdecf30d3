"""Staff and applicants' questions: the list (open or answered) with each question's case, the
answer kept with who gave it, and a role that does not handle cases refused in a sentence."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.roles import Role
from casework.steps import questions
from casework.steps.case_file import load_application
from casework.system.db import transaction
from casework.system.env import CaseEnv
from tests.builders import iin_for, phone_for
from tests.staff.conftest import NAMES, Api

R = Role


async def sms_question(
    api: Api, env: CaseEnv, text: str = "Төлем қашан түседі?"
) -> tuple[int, int]:
    """A registered case, and a question about it from the applicant's MCDB-registered phone."""
    await api.register_phone(1)
    case = await api.registered(1)
    async with transaction(api.sessions) as s:
        app = await load_application(s, case["id"])
        q = await questions.ask_by_sms(
            s, env, phone=phone_for(1), application=app, text=text, message_id=None
        )
        return case["id"], q.id


async def general_question(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> int:
    """From a Telegram account that has proven nothing."""
    async with transaction(sessions) as s:
        q = await questions.ask_in_chat(
            s, env, telegram_id=555, applicant=None, text="Қандай көмек бар?", locale="kk"
        )
        return q.id


async def test_staff_see_open_questions_with_the_case_and_answer_one(
    api: Api, env: CaseEnv
) -> None:
    cid, qid = await sms_question(api, env)
    general = await general_question(api.sessions, env)

    listed = (await api.get(R.DECISION_MAKER, "/staff/questions")).json()
    assert [q["id"] for q in listed] == [qid, general]  # the longest waiting first
    about_case = listed[0]
    assert about_case["application_id"] == cid and about_case["case_status"] == "registered"
    assert about_case["text"] == "Төлем қашан түседі?" and about_case["proven"] is True
    assert about_case["applicant"]["name"] == "Сейітқалиева Әлия"
    # The decision maker sees identity numbers and phones masked, as on the case.
    assert iin_for(1) not in str(about_case) and phone_for(1) not in str(about_case)
    # How much of an answer the SMS carries whole (a longer one is cut: tests/casework).
    assert about_case["answer_goes"] == "sms" and 80 < about_case["sms_room"] < 134
    assert listed[1]["proven"] is False and listed[1]["applicant"] is None
    assert (listed[1]["application_id"], listed[1]["answer_goes"]) == (None, "bot_screen")

    r = await api.post(
        R.COMMISSION_SECRETARY, f"/staff/questions/{qid}/answer", {"text": "Айдың 20-сына дейін."}
    )
    assert r.status_code == 200, r.text
    answered = r.json()
    assert answered["answer"] == "Айдың 20-сына дейін."
    assert answered["answered_by"] == NAMES[R.COMMISSION_SECRETARY]
    # Kept in the case's audit with who answered; the case itself did not move.
    trail = (await api.get(R.DECISION_MAKER, f"/staff/applications/{cid}/audit")).json()
    assert trail[-1]["action"] == "question_answered"
    assert trail[-1]["actor"] == NAMES[R.COMMISSION_SECRETARY]
    assert trail[-1]["from_status"] == trail[-1]["to_status"] == "registered"
    [notice] = [n for n in await api.notices(cid) if n.kind is NoticeKind.QUESTION_ANSWER]
    assert (notice.channel, notice.address) == (NoticeChannel.SMS, phone_for(1))

    still_open = (await api.get(R.INTAKE_OFFICE, "/staff/questions?state=open")).json()
    assert [q["id"] for q in still_open] == [general]
    done = (await api.get(R.INTAKE_OFFICE, "/staff/questions?state=answered")).json()
    assert [q["id"] for q in done] == [qid]
    one = (await api.get(R.INTAKE_OFFICE, f"/staff/questions/{qid}")).json()
    assert one["applicant"]["iin"] == iin_for(1)  # intake sees identity numbers
    # A second answer is refused: the first is what the applicant received.
    again = await api.post(R.DECISION_MAKER, f"/staff/questions/{qid}/answer", {"text": "Басқа."})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"


@pytest.mark.parametrize("role", [R.ADMINISTRATOR, R.INTAKE_AKIM, R.INTAKE_STATE_CORPORATION])
async def test_a_role_that_does_not_handle_cases_may_not_answer(
    api: Api, env: CaseEnv, role: Role
) -> None:
    cid, qid = await sms_question(api, env)
    r = await api.post(role, f"/staff/questions/{qid}/answer", {"text": "Жауап."})
    assert r.status_code == 403
    refusal = r.json()
    assert refusal["code"] == "forbidden"
    assert refusal["message"].startswith("Only staff who handle cases may answer")
    assert refusal["params"]["role"] == role.value
    assert "commission_secretary" in refusal["params"]["roles"]
    assert refusal["params"]["messages"]["kk"].startswith("Өтініш берушілердің сұрақтарына тек")
    assert refusal["params"]["messages"]["ru"].startswith("На вопросы заявителей отвечают")
    # Refused before the question is looked up, and nothing changed.
    assert (
        await api.post(role, "/staff/questions/999999/answer", {"text": "x"})
    ).status_code == 403
    one = (await api.get(R.INTAKE_OFFICE, f"/staff/questions/{qid}")).json()
    assert one["answer"] is None
    assert [n for n in await api.notices(cid) if n.kind is NoticeKind.QUESTION_ANSWER] == []


async def test_bad_answers_and_unknown_questions_are_refused_clearly(
    api: Api, env: CaseEnv
) -> None:
    _, qid = await sms_question(api, env)
    url = f"/staff/questions/{qid}/answer"
    for body, code in [
        ({"text": "   "}, "question_refused"),
        ({"text": ""}, None),
        ({"text": "ә" * 2001}, None),
        ({"text": "a\x00b"}, None),
        ({"answer": "x"}, None),
    ]:
        r = await api.post(R.COMMISSION_SECRETARY, url, body)
        assert r.status_code == 422, (body, r.text)
        if code:
            assert r.json()["code"] == code
    for bad in ("999999", "0", "-1", str(2**40)):
        r = await api.get(R.COMMISSION_SECRETARY, f"/staff/questions/{bad}")
        assert r.status_code == 404, bad
        r = await api.post(R.COMMISSION_SECRETARY, f"/staff/questions/{bad}/answer", {"text": "x"})
        assert r.status_code == 404, bad
    assert (await api.get(R.COMMISSION_SECRETARY, "/staff/questions?state=x")).status_code == 422
    r = await api.http.get("/staff/questions")
    assert r.status_code == 401
