"""Notices at risk of their legal term, as the deadline board's sibling lists them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.roles import Role
from casework.system.env import CaseEnv
from gateway.providers.sandbox import DELIVERED_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases
from tests.staff.conftest import Api

ALMATY = ZoneInfo("Asia/Almaty")
URL = "/staff/notices/at-risk"


async def _ids(api: Api) -> tuple[list[int], dict[int, dict[str, Any]]]:
    r = await api.get(Role.COMMISSION_SECRETARY, URL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return [i["id"] for i in body["items"]], {i["id"]: i for i in body["items"]}


async def _refusal_notice(cases: Cases, app_id: int) -> int:
    [notice] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.PRELIMINARY_REFUSAL]
    return notice.id


async def test_a_notice_near_its_term_is_listed_and_a_delivered_one_is_not(
    api: Api, env: CaseEnv, clock: FixedClock
) -> None:
    # Monday 16 November 2026, 10:00. Each preliminary refusal announces a hearing on Thursday
    # 19 November at 11:00: it must reach the applicant by Wednesday's closing time, 18:30.
    cases = Cases(api.sessions, env)
    delivered_case = await cases.preliminary_refusal(1, phone=DELIVERED_NUMBER)
    worker = Worker(api.sessions, env, {NoticeChannel.SMS: SandboxProvider()})
    await worker.drain()
    delivered = await _refusal_notice(cases, delivered_case)
    by_sms = await _refusal_notice(cases, await cases.preliminary_refusal(2))  # stays queued
    on_paper = await _refusal_notice(cases, await cases.preliminary_refusal(3, mcdb=False))
    decision_on_paper = await cases.granted(4, mcdb=False)  # handed over when they come: no term
    [sms] = [n for n in await cases.notices() if n.id == by_sms]
    assert sms.status is NoticeStatus.QUEUED

    # Monday: two working days are left. The paper notice is at risk already (the applicant
    # must be phoned and come in); the SMS still has a working day in hand.
    ids, _ = await _ids(api)
    assert ids == [on_paper]

    # Tuesday morning: the SMS's last working day has come.
    clock.set(datetime(2026, 11, 17, 10, 0, tzinfo=ALMATY))
    ids, rows = await _ids(api)
    assert sorted(ids) == sorted([by_sms, on_paper])
    assert delivered not in ids
    assert not any(r["application_id"] == decision_on_paper for r in rows.values())
    assert rows[by_sms]["overdue"] is False
    assert rows[by_sms]["status"] == "queued" and rows[by_sms]["channel"] == "sms"
    assert datetime.fromisoformat(rows[by_sms]["deliver_by"]) == datetime(
        2026, 11, 18, 18, 30, tzinfo=ALMATY
    )

    # Thursday: the term has passed and neither reached the applicant.
    clock.set(datetime(2026, 11, 19, 4, 0, tzinfo=UTC))
    ids, rows = await _ids(api)
    assert rows[by_sms]["overdue"] is True and rows[on_paper]["overdue"] is True

    # Handed over at the office: no longer at risk.
    r = await api.post(Role.INTAKE_OFFICE, f"/staff/print-queue/{on_paper}/handed-over")
    assert r.status_code == 200, r.text
    ids, _ = await _ids(api)
    assert ids == [by_sms]


async def test_the_list_is_bounded_and_needs_a_token(api: Api, env: CaseEnv) -> None:
    cases = Cases(api.sessions, env)
    for n in (1, 2, 3):
        await cases.preliminary_refusal(n, mcdb=False)
    r = await api.get(Role.DECISION_MAKER, URL, params={"limit": 2})
    assert r.status_code == 200
    assert (r.json()["total"], len(r.json()["items"])) == (3, 2)
    r = await api.get(Role.DECISION_MAKER, URL, params={"limit": 0})
    assert r.status_code == 422
    r = await api.http.get(URL)
    assert r.status_code == 401
