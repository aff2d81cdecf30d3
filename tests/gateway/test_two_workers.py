"""Several workers share one outbox on PostgreSQL (FOR UPDATE SKIP LOCKED): each notice once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import insert

from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

N = 300


async def test_two_workers_send_every_notice_exactly_once(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED sharing is a PostgreSQL feature; SQLite runs one worker")
    app_id = await case_builder.registered(1)
    [template] = await case_builder.notices(app_id)
    now = env.now()
    rows = [
        dict(
            application_id=app_id,
            applicant_id=template.applicant_id,
            kind=NoticeKind.HEARING_INVITATION,
            locale="kk",
            payload={},
            channel=NoticeChannel.SMS,
            channel_reason=ChannelReason.MCDB_REGISTERED,
            address=f"+7701{i:07d}",
            title="t",
            text=f"text {i}",
            sms_text=f"sms {i}",
            status=NoticeStatus.QUEUED,
            due_at=now,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        for i in range(N)
    ]
    async with transaction(case_builder.sessions) as s:
        await s.execute(insert(Notice), rows)
    fake_twilio.latency = 0.002
    providers = [
        TwilioProvider(
            fake_twilio.account_sid,
            fake_twilio.auth_token,
            from_="+15005550006",
            api_base=fake_twilio.base_url,
            rate_per_second=0,
        )
        for _ in range(2)
    ]
    workers = [
        Worker(
            case_builder.sessions,
            env,
            {NoticeChannel.SMS: p},
            config=WorkerConfig(concurrency=8, batch_size=10),
        )
        for p in providers
    ]
    try:
        done = await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for p in providers:
            await p.close()
    assert sum(done) == N + 1
    assert all(d > 0 for d in done), f"both workers should share the queue: {done}"
    bodies = Counter(m["body"] for m in fake_twilio.messages)
    assert len(fake_twilio.messages) == N + 1
    assert all(count == 1 for count in bodies.values())
    notices = await case_builder.notices()
    assert {n.status for n in notices} == {NoticeStatus.SENT}
