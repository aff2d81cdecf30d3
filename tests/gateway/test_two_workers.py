"""Several workers share one outbox on PostgreSQL (FOR UPDATE SKIP LOCKED): each notice once, and
a worker paced by its provider's rate holds no more of the queue than it sends soon."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import pytest
from sqlalchemy import insert

from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.system.settings import Settings
from casework.tables.notices import Notice
from gateway.providers import build_providers
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

N = 300


async def _queue(case_builder: Cases, env: CaseEnv, count: int) -> None:
    """`count` SMS notices due now on one case."""
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
        for i in range(count)
    ]
    async with transaction(case_builder.sessions) as s:
        await s.execute(insert(Notice), rows)


async def test_two_workers_send_every_notice_exactly_once(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED sharing is a PostgreSQL feature; SQLite runs one worker")
    await _queue(case_builder, env, N)
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


async def test_a_paced_worker_leaves_what_it_cannot_send_soon_to_the_others(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio, database_url: str
) -> None:
    """At 5 SMS a second a worker claims about what it sends in `prefetch_seconds`, whether its
    limiter is its own (SQLite) or shared through PostgreSQL: the rest of a large queue stays
    free for another worker instead of waiting behind this one's rate."""
    await _queue(case_builder, env, N)
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=None,
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_from="+15005550006",
        twilio_api_base=fake_twilio.base_url,
        twilio_rate_per_second=5,
    )
    sms = build_providers(settings)[NoticeChannel.SMS]
    worker = Worker(
        case_builder.sessions,
        env,
        {NoticeChannel.SMS: sms},
        config=WorkerConfig(concurrency=2, prefetch_seconds=4),
    )
    draining = asyncio.create_task(worker.drain())
    try:
        await asyncio.sleep(1.5)
        statuses = Counter(n.status for n in await case_builder.notices())
    finally:
        draining.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await draining
        await sms.close()
    # Its lane (the rate times the prefetch), what its two senders hold and results not yet
    # written: a few dozen, not the whole queue a 500-notice batch would take.
    held = statuses[NoticeStatus.SENDING]
    assert 0 < held <= 5 * 4 + 10, statuses
    assert statuses[NoticeStatus.QUEUED] >= N - 5 * 4 - 10 - statuses[NoticeStatus.SENT], statuses
