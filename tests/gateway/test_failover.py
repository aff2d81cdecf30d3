"""Failover between SMS providers: a failing Twilio (tests/fakes/twilio_server.py) moves traffic
to SMPP (tests/fakes/smpp_server.py) and back once it recovers, through the real worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus, Outcome
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from gateway.providers.base import Outgoing
from gateway.providers.failover import FailoverProvider
from gateway.providers.smpp import SmppProvider, store_receipts
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.fakes.clock import FixedClock
from tests.fakes.smpp_server import FakeSmsc
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases
from tests.gateway.test_webhooks import signed


class Seconds:
    """The failover's clock, moved by the test (probes are due after `probe_after`)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def smsc() -> AsyncIterator[FakeSmsc]:
    server = FakeSmsc(receipt_stat="")
    await server.start()
    yield server
    await server.stop()


def failover(
    fake: FakeTwilio, smsc: FakeSmsc, seconds: Seconds, runtime: Runtime | None = None
) -> FailoverProvider:
    twilio = TwilioProvider(
        fake.account_sid,
        fake.auth_token,
        from_="+15005550006",
        api_base=fake.base_url,
        rate_per_second=0,
    )
    smpp = SmppProvider(
        smsc.host,
        smsc.port,
        smsc.system_id,
        smsc.password,
        source_addr="KOMEK",
        rate_per_second=0,
        timeout=5,
        on_receipt=store_receipts(runtime) if runtime is not None else None,
    )
    return FailoverProvider(
        [twilio, smpp], threshold=0.5, min_results=3, window=60, probe_after=30, clock=seconds
    )


async def test_a_failing_twilio_moves_traffic_to_smpp_and_back_when_it_recovers(
    case_builder: Cases,
    env: CaseEnv,
    clock: FixedClock,
    fake_twilio: FakeTwilio,
    smsc: FakeSmsc,
) -> None:
    seconds = Seconds()
    provider = failover(fake_twilio, smsc, seconds)
    # One sender: the order of sends is the order of the queue, so the counts below are exact.
    worker = Worker(
        case_builder.sessions,
        env,
        {NoticeChannel.SMS: provider},
        config=WorkerConfig(concurrency=1),
    )
    outage = [await case_builder.registered(n) for n in range(1, 9)]
    try:
        fake_twilio.control("down", status=500)
        await worker.drain()
        # Three 500s in a row pass the threshold: Twilio is deprioritised, the rest go by SMPP.
        assert provider.ranking() == ["smpp", "twilio"]
        assert provider.error_rate("twilio") == 1.0
        notices = [n for app in outage for n in await case_builder.notices(app)]
        failed = [n for n in notices if n.status is NoticeStatus.QUEUED]
        assert len(failed) == 3 and {n.error_code for n in failed} == {"500"}
        assert {(n.status, n.provider) for n in notices if n not in failed} == {
            (NoticeStatus.SENT, "smpp")
        }
        # Their retries go by SMPP too while Twilio is down.
        clock.set(max(n.due_at for n in failed))
        await worker.drain()
        notices = [n for app in outage for n in await case_builder.notices(app)]
        assert {(n.status, n.provider) for n in notices} == {(NoticeStatus.SENT, "smpp")}
        assert len(smsc.messages) == 8

        # Twilio recovers; after the probe period, one probe succeeds and traffic moves back.
        fake_twilio.control("ok")
        seconds.now += 31
        after = [await case_builder.registered(n) for n in range(9, 14)]
        await worker.drain()
        assert provider.ranking() == ["twilio", "smpp"]
    finally:
        await provider.close()
    notices = [n for app in after for n in await case_builder.notices(app)]
    assert {(n.status, n.provider) for n in notices} == {(NoticeStatus.SENT, "twilio")}
    assert all((n.provider_id or "").startswith("SM") for n in notices)
    assert len(fake_twilio.messages) == 5 and len(smsc.messages) == 8


async def test_a_failed_probe_keeps_the_provider_down(
    fake_twilio: FakeTwilio, smsc: FakeSmsc
) -> None:
    seconds = Seconds()
    provider = failover(fake_twilio, smsc, seconds)
    fake_twilio.control("down", status=503)

    async def send(n: int) -> str | None:
        message = Outgoing(n, 1, NoticeKind.ACCEPTANCE_RECEIPT, "kk", "+77011234567", f"№{n}")
        await provider.pace(message)
        return (await provider.send(message)).provider

    try:
        assert [await send(n) for n in range(1, 6)] == ["twilio"] * 3 + ["smpp"] * 2
        seconds.now += 10
        assert await send(6) == "smpp"  # not yet time for a probe
        seconds.now += 25
        assert await send(7) == "twilio"  # the probe, still failing
        assert await send(8) == "smpp"
        seconds.now += 31
        fake_twilio.control("ok")
        assert [await send(n) for n in range(9, 12)] == ["twilio"] * 3
        since = datetime(2026, 11, 16, tzinfo=UTC)
        found = await provider.find_sent(
            Outgoing(8, 1, NoticeKind.ACCEPTANCE_RECEIPT, "kk", "+77011234567", "№8"), since
        )
        assert found is not None and (found.outcome, found.provider) == (Outcome.ACCEPTED, "smpp")
    finally:
        await provider.close()


async def test_receipts_from_both_providers_reach_their_notices(
    case_builder: Cases,
    env: CaseEnv,
    clock: FixedClock,
    runtime: Runtime,
    client: httpx.AsyncClient,
    fake_twilio: FakeTwilio,
) -> None:
    smsc = FakeSmsc(receipt_delay=0.2)  # SMPP receipts come over the SMPP session
    await smsc.start()
    seconds = Seconds()
    provider = failover(fake_twilio, smsc, seconds, runtime)
    config = WorkerConfig(concurrency=1)
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider}, config=config)
    apps = [await case_builder.registered(n) for n in range(1, 6)]
    try:
        fake_twilio.control("down", status=503)
        await worker.drain()  # three fail on Twilio, two go by SMPP
        fake_twilio.control("ok")
        seconds.now += 31
        notices = [n for app in apps for n in await case_builder.notices(app)]
        clock.set(max(n.due_at for n in notices))
        await worker.drain()  # the retries probe Twilio, which takes them
        notices = [n for app in apps for n in await case_builder.notices(app)]
        assert sorted(str(n.provider) for n in notices) == ["smpp"] * 2 + ["twilio"] * 3
        for n in notices:
            if n.provider == "twilio":  # Twilio's receipts: its signed status webhook
                path = f"/twilio/status?notice={n.id}"
                form = {"MessageSid": str(n.provider_id), "MessageStatus": "delivered"}
                r = await client.post(path, data=form, headers=signed(path, form))
                assert r.status_code == 204

        async def all_delivered() -> bool:
            notices = [n for app in apps for n in await case_builder.notices(app)]
            return all(n.status is NoticeStatus.DELIVERED for n in notices)

        async with asyncio.timeout(5):
            while not await all_delivered():
                await asyncio.sleep(0.02)
    finally:
        await provider.close()
        await smsc.stop()
