"""Broadcasts: one notice per applicant, live counts, resend to the failed only."""

from __future__ import annotations

from datetime import date

import pytest

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.steps.broadcasts import (
    BroadcastError,
    broadcast_counts,
    create_broadcast,
    resend_failed,
)
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.mcdb import McdbEntry
from gateway.providers.sandbox import PERMANENT_FAILURE_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.builders import iin_for
from tests.gateway.conftest import Cases


async def test_hearing_invitations_reach_everyone_and_counts_add_up(
    case_builder: Cases, env: CaseEnv
) -> None:
    ok = await case_builder.preliminary_refusal(1)
    dead = await case_builder.preliminary_refusal(2, phone=PERMANENT_FAILURE_NUMBER)
    paper = await case_builder.preliminary_refusal(3, mcdb=False)
    async with transaction(case_builder.sessions) as s:
        b = await create_broadcast(
            s,
            env,
            kind=NoticeKind.HEARING_INVITATION,
            application_ids=[ok, dead, paper, ok],
            created_by="secretary",
        )
    async with case_builder.sessions() as s:
        assert await broadcast_counts(s, b.id) == {
            "queued": 2,
            "sent": 0,
            "delivered": 0,
            "failed": 0,
            "printed": 1,
            "total": 3,
        }
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: SandboxProvider()})
    await worker.drain()
    async with case_builder.sessions() as s:
        assert await broadcast_counts(s, b.id) == {
            "queued": 0,
            "sent": 0,
            "delivered": 1,
            "failed": 1,
            "printed": 1,
            "total": 3,
        }
    invitation = [n for n in await case_builder.notices(ok) if n.broadcast_id == b.id]
    assert invitation[0].kind is NoticeKind.HEARING_INVITATION
    assert "тыңдау" in invitation[0].sms_text.lower()


async def test_resend_goes_to_the_failed_only(case_builder: Cases, env: CaseEnv) -> None:
    ok = await case_builder.preliminary_refusal(1)
    dead = await case_builder.preliminary_refusal(2, phone=PERMANENT_FAILURE_NUMBER)
    async with transaction(case_builder.sessions) as s:
        b = await create_broadcast(
            s,
            env,
            kind=NoticeKind.HEARING_INVITATION,
            application_ids=[ok, dead],
            created_by="secretary",
        )
    sandbox = SandboxProvider()
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: sandbox})
    await worker.drain()
    sent_before = len(sandbox.sent)
    # The applicant registers a working number and the application is corrected.
    async with transaction(case_builder.sessions) as s:
        from casework.steps.case_file import load_application

        app = await load_application(s, dead)
        app.phone = "+77019999999"
        s.add(
            McdbEntry(
                iin=iin_for(2),
                phone="+77019999999",
                registered_on=date(2024, 1, 1),
                imported_at=env.now(),
            )
        )
    async with transaction(case_builder.sessions) as s:
        assert await resend_failed(s, env, b.id, actor="secretary") == 1
    await worker.drain()
    assert len(sandbox.sent) == sent_before + 1
    assert sandbox.sent[-1].address == "+77019999999"
    async with case_builder.sessions() as s:
        counts = await broadcast_counts(s, b.id)
    assert counts["delivered"] == 2 and counts["failed"] == 0
    async with transaction(case_builder.sessions) as s:
        assert await resend_failed(s, env, b.id, actor="secretary") == 0


async def test_invitation_without_a_hearing_is_refused(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.registered(1)
    async with transaction(case_builder.sessions) as s:
        with pytest.raises(BroadcastError):
            await create_broadcast(
                s,
                env,
                kind=NoticeKind.HEARING_INVITATION,
                application_ids=[app_id],
                created_by="secretary",
            )


async def test_holiday_assistance_broadcast(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.registered(1, locale="ru")
    holiday = env.district.holidays[0]
    async with transaction(case_builder.sessions) as s:
        b = await create_broadcast(
            s,
            env,
            kind=NoticeKind.HOLIDAY_ASSISTANCE,
            application_ids=[app_id],
            created_by="secretary",
            payload={"holiday": holiday.date, "category": holiday.categories[0].code},
        )
    [notice] = [n for n in await case_builder.notices(app_id) if n.broadcast_id == b.id]
    assert holiday.name.ru in notice.text and "без заявления" in notice.text
    assert notice.status is NoticeStatus.QUEUED
