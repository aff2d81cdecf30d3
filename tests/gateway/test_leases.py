"""Claims are leases: a live worker renews its own, a dead worker's lapse and are taken over
within the lease (not the old 10-minute sweep), and the worker's heartbeat row says it lives."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.law.notices import NoticeChannel, NoticeStatus
from casework.system.settings import Settings
from casework.tables.notices import WorkerBeat
from gateway.providers.base import Outcome, SendResult
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.fakes.clock import FixedClock
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

LEASE = WorkerConfig().lease


def worker(cases: Cases, fake: FakeTwilio, name: str, **cfg: object) -> Worker:
    provider = TwilioProvider(
        fake.account_sid,
        fake.auth_token,
        from_="+15005550006",
        api_base=fake.base_url,
        rate_per_second=0,
    )
    config = WorkerConfig(**cfg)  # type: ignore[arg-type]
    return Worker(
        cases.sessions, cases.env, {NoticeChannel.SMS: provider}, config=config, name=name
    )


async def close(*workers: Worker) -> None:
    for w in workers:
        for p in w.providers.values():
            await p.close()


async def test_a_dead_workers_notice_is_taken_over_when_its_lease_lapses(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.now = clock.now
    app_id = await case_builder.registered(1)
    dead = worker(case_builder, fake_twilio, "dead")
    [claimed] = await dead.claim(10)  # …and the process is killed here, before sending
    [notice] = await case_builder.notices(app_id)
    assert (notice.claimed_by, notice.lease_until) == ("dead", clock.now() + LEASE)
    live = worker(case_builder, fake_twilio, "live")
    try:
        assert await live.drain() == 0  # the lease holds: "dead" may still be sending it
        clock.set(clock.now() + LEASE - timedelta(seconds=1))
        assert await live.drain() == 0
        clock.set(clock.now() + timedelta(seconds=2))  # lapsed: 31 s after the claim
        assert await live.drain() == 1
        assert await live.drain() == 0
        # The dead worker's late result (it was only paused) changes nothing.
        await dead._record([(claimed, SendResult(Outcome.PERMANENT, error_code="21211"))])
    finally:
        await close(dead, live)
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.claimed_by, notice.attempts) == (NoticeStatus.SENT, "live", 2)
    assert notice.lease_until is None  # no lease once the result is in
    assert len(fake_twilio.messages) == 1


async def test_a_live_worker_renews_its_leases_so_nobody_takes_them(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    await case_builder.registered(1)
    await case_builder.registered(2)
    slow = worker(case_builder, fake_twilio, "slow")
    other = worker(case_builder, fake_twilio, "other")
    try:
        assert len(await slow.claim(10)) == 2
        clock.set(clock.now() + timedelta(seconds=20))
        assert await slow.renew() == 2  # both leases, in one statement
        clock.set(clock.now() + timedelta(seconds=20))  # 40 s after the claim, 20 s after renewal
        assert await other.claim(10) == []
        clock.set(clock.now() + LEASE)
        assert len(await other.claim(10)) == 2
        assert await slow.renew() == 0  # taken over: no longer its to renew
    finally:
        await close(slow, other)


async def test_the_heartbeat_row_is_written_and_renewed_while_the_worker_runs(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    w = worker(case_builder, fake_twilio, "district-worker-1", renew_every=0.02, poll_interval=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(w.run(stop))

    async def beat() -> WorkerBeat | None:
        async with case_builder.sessions() as s:
            return await s.scalar(select(WorkerBeat).where(WorkerBeat.name == "district-worker-1"))

    try:
        for _ in range(200):
            if (first := await beat()) is not None:
                break
            await asyncio.sleep(0.01)
        assert first is not None and first.beat_at == clock.now()
        started = first.started_at
        clock.set(clock.now() + timedelta(seconds=10))
        for _ in range(200):
            row = await beat()
            if row is not None and row.beat_at == clock.now():
                break
            await asyncio.sleep(0.01)
        assert row is not None and row.beat_at == clock.now()
        assert row.started_at == started and row.pid > 0
    finally:
        stop.set()
        await task
        await close(w)


async def test_the_lease_and_the_twilio_wait_are_set_from_the_environment(
    case_builder: Cases,
    clock: FixedClock,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOMEK_WORKER_LEASE_SECONDS", "90")
    monkeypatch.setenv("KOMEK_TWILIO_TIMEOUT_SECONDS", "0.2")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_from="+15005550006",
        twilio_api_base=fake_twilio.base_url,
    )
    fake_twilio.control("slow", delay=2)  # takes the message, answers too late
    app_id = await case_builder.registered(1)
    w = Worker(
        case_builder.sessions,
        case_builder.env,
        {NoticeChannel.SMS: TwilioProvider.from_settings(settings)},
        config=WorkerConfig.from_settings(settings),
        name="configured",
    )
    try:
        [claimed] = await w.claim(10)
        [notice] = await case_builder.notices(app_id)
        assert notice.lease_until == clock.now() + timedelta(seconds=90)
        assert w.config.renew_every == 10  # heartbeats as often as /ready expects them
        started = asyncio.get_running_loop().time()
        result = await w.providers[NoticeChannel.SMS].send(claimed.message)
        assert asyncio.get_running_loop().time() - started < 1.5
        assert result.error_code == "timeout"  # asked about before any resend
    finally:
        await close(w)
