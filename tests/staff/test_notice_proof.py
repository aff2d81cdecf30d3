"""The proof of notice: a download naming the route and why, the provider's id, every status with
its time, the hand-over and whether the legal term was met; masked, audited, in kk and ru."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from casework.law.identity import mask_iin, mask_phone
from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.roles import Role
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.lookups import StaffLookup
from casework.tables.notices import Notice
from gateway.providers.sandbox import DELIVERED_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.builders import iin_for, phone_for
from tests.gateway.conftest import Cases
from tests.staff.conftest import NAMES, Api

ALMATY = ZoneInfo("Asia/Almaty")


def proof_url(notice_id: int) -> str:
    return f"/staff/notices/{notice_id}/proof"


async def test_proof_of_an_sms_the_worker_delivered(api: Api, env: CaseEnv) -> None:
    cases = Cases(api.sessions, env)
    app_id = await cases.granted(1, phone=DELIVERED_NUMBER)
    sms = SandboxProvider()
    await Worker(api.sessions, env, {NoticeChannel.SMS: sms}).drain()
    [decision] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.DECISION_GRANTED]
    assert decision.provider_id and len(sms.sent) == 2

    r = await api.get(Role.COMMISSION_SECRETARY, proof_url(decision.id))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == (
        f'attachment; filename="notice-{decision.id}-proof.json"'
    )
    proof = r.json()
    assert [e["status"] for e in proof["events"]] == ["queued", "sending", "delivered"]
    assert proof["events"][-1]["provider_id"] == decision.provider_id
    assert (proof["provider"], proof["provider_id"]) == ("sandbox", decision.provider_id)
    assert (proof["channel"], proof["channel_reason"]) == ("sms", "mcdb_registered")
    assert proof["mcdb_phone"] == mask_phone(DELIVERED_NUMBER)
    assert proof["mcdb_registered_on"] == "2020-01-01"
    assert proof["iin"] == mask_iin(iin_for(1))
    # Decided on Monday 16 November 2026: by the end of Tuesday, and it arrived at once.
    assert datetime.fromisoformat(proof["deliver_by"]) == datetime(2026, 11, 18, tzinfo=ALMATY)
    assert proof["term_met"] is True
    assert proof["application_id"] == app_id
    assert DELIVERED_NUMBER not in r.text and iin_for(1) not in r.text

    r = await api.get(Role.COMMISSION_SECRETARY, proof_url(decision.id), params={"format": "text"})
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"].endswith('-proof.txt"')
    text = r.text
    assert f"Іс №{app_id}" in text  # the member's language is Kazakh by default
    assert "Мерзім сақталды" in text
    assert "жетуге тиіс мерзім: 2026 жылғы 17 қараша, 24:00" in text  # Tuesday's end
    assert (
        f"{mask_phone(DELIVERED_NUMBER)} нөмірі осы ЖСН-ге 2020 жылғы 1 қаңтарда тіркелген" in text
    )
    assert decision.provider_id in text
    history = text.split("Мәртебелер тарихы:")[1]
    statuses = ("Жіберу кезегінде", "Жіберілуде", "Жеткізілді")
    assert [history.index(s) for s in statuses] == sorted(history.index(s) for s in statuses)
    assert DELIVERED_NUMBER not in text and iin_for(1) not in text

    r = await api.get(
        Role.DECISION_MAKER, proof_url(decision.id), params={"format": "text", "lang": "ru"}
    )
    assert f"Справка о вручении уведомления № {decision.id}" in r.text
    assert "Срок соблюдён" in r.text and f"Дело № {app_id}" in r.text

    r = await api.get(Role.INTAKE_AKIM, proof_url(decision.id), params={"format": "pdf"})
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")

    # Each view is in the lookup audit, under the person's IIN.
    async with api.sessions() as s:
        views = list(await s.scalars(select(StaffLookup).order_by(StaffLookup.id)))
    assert [v.filters for v in views] == [f"notice_proof={decision.id}"] * 4
    assert {v.iin for v in views} == {iin_for(1)}


async def test_proof_of_a_paper_notice_handed_over(api: Api, env: CaseEnv) -> None:
    cases = Cases(api.sessions, env)
    app_id = await cases.preliminary_refusal(2, mcdb=False)
    [paper] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.PRELIMINARY_REFUSAL]
    before = (await api.get(Role.COMMISSION_SECRETARY, proof_url(paper.id))).json()
    assert [e["status"] for e in before["events"]] == ["to_print"]
    assert before["term_met"] is None  # the term runs on: not met, not missed yet

    r = await api.post(Role.INTAKE_OFFICE, f"/staff/print-queue/{paper.id}/handed-over")
    assert r.status_code == 200, r.text
    proof = (await api.get(Role.COMMISSION_SECRETARY, proof_url(paper.id))).json()
    assert [e["status"] for e in proof["events"]] == ["to_print", "handed_over"]
    assert proof["handed_over_by"] == NAMES[Role.INTAKE_OFFICE]
    assert proof["channel_reason"] == "no_registered_phone"
    assert proof["mcdb_phone"] == mask_phone(phone_for(2))
    assert proof["mcdb_registered_on"] is None
    # Due by Wednesday's closing time before Thursday's hearing; handed over on Monday.
    assert datetime.fromisoformat(proof["deliver_by"]) == datetime(
        2026, 11, 18, 18, 30, tzinfo=ALMATY
    )
    assert proof["term_met"] is True

    text = (
        await api.get(
            Role.COMMISSION_SECRETARY, proof_url(paper.id), params={"format": "text", "lang": "ru"}
        )
    ).text
    assert f"Вручено на бумаге: {NAMES[Role.INTAKE_OFFICE]}" in text
    assert f"номер {mask_phone(phone_for(2))} не зарегистрирован на этот ИИН" in text
    assert phone_for(2) not in text


async def test_proof_needs_the_right_and_an_existing_notice(api: Api, env: CaseEnv) -> None:
    cases = Cases(api.sessions, env)
    app_id = await cases.preliminary_refusal(3, mcdb=False)
    [paper, *_] = await cases.notices(app_id)
    r = await api.get(Role.ADMINISTRATOR, proof_url(paper.id))
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert iin_for(3) not in r.text
    for unknown in (999_999, 2**40, 0):
        r = await api.get(Role.COMMISSION_SECRETARY, proof_url(unknown))
        assert r.status_code == 404, (unknown, r.text)
    r = await api.get(Role.COMMISSION_SECRETARY, proof_url(paper.id), params={"format": "xml"})
    assert r.status_code == 422
    r = await api.http.get(proof_url(paper.id))
    assert r.status_code == 401
    async with api.sessions() as s:
        assert list(await s.scalars(select(StaffLookup))) == []  # nothing shown, nothing logged


async def test_a_notice_and_its_proof_cannot_be_deleted(api: Api, env: CaseEnv) -> None:
    """Notices are legal records: the database refuses to delete one, whoever asks, and its
    proof stays whole (events are written by the database itself, one per status)."""
    cases = Cases(api.sessions, env)
    app_id = await cases.granted(1, phone=DELIVERED_NUMBER)
    await Worker(api.sessions, env, {NoticeChannel.SMS: SandboxProvider()}).drain()
    [decision] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.DECISION_GRANTED]
    with pytest.raises(DBAPIError, match="never deleted"):
        async with transaction(api.sessions) as session:
            await session.execute(delete(Notice).where(Notice.id == decision.id))
    r = await api.get(Role.COMMISSION_SECRETARY, proof_url(decision.id))
    assert [e["status"] for e in r.json()["events"]] == ["queued", "sending", "delivered"]
