"""Before sending again a notice that may already have reached Twilio, the worker asks Twilio's
Messages list: found, its result is recorded and nothing is sent twice; not found, one send."""

from __future__ import annotations

from datetime import timedelta

from casework.law.notices import NoticeChannel, NoticeStatus
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.builders import phone_for
from tests.fakes.clock import FixedClock
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

LEASE = WorkerConfig().lease


def worker(cases: Cases, fake: FakeTwilio, name: str, timeout: float = 15.0) -> Worker:
    provider = TwilioProvider(
        fake.account_sid,
        fake.auth_token,
        from_="+15005550006",
        api_base=fake.base_url,
        rate_per_second=0,
        timeout=timeout,
    )
    return Worker(cases.sessions, cases.env, {NoticeChannel.SMS: provider}, name=name)


async def close(*workers: Worker) -> None:
    for w in workers:
        for p in w.providers.values():
            await p.close()


def posts(fake: FakeTwilio) -> int:
    return len(fake.requests)


async def test_a_message_sent_before_the_worker_died_is_found_not_sent_again(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.now = clock.now
    app_id = await case_builder.registered(1)
    dead = worker(case_builder, fake_twilio, "dead")
    [item] = await dead.claim(10)
    # Twilio took it; the worker was killed before it wrote the result.
    first = await dead.providers[NoticeChannel.SMS].send(item.message)
    assert first.provider_id and len(fake_twilio.messages) == 1
    live = worker(case_builder, fake_twilio, "live")
    try:
        clock.set(clock.now() + LEASE + timedelta(seconds=1))
        assert await live.drain() == 1
    finally:
        await close(dead, live)
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.provider, notice.provider_id) == (
        NoticeStatus.SENT,
        "twilio",
        first.provider_id,
    )
    assert posts(fake_twilio) == 1 and len(fake_twilio.messages) == 1
    [query] = fake_twilio.lists
    assert query["To"] == phone_for(1)


async def test_a_message_twilio_never_got_is_sent_exactly_once(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.now = clock.now
    app_id = await case_builder.registered(1)
    # Yesterday's identical text to the same number is another message, not this one.
    yesterday = clock.now() - timedelta(days=1)
    dead = worker(case_builder, fake_twilio, "dead")
    [item] = await dead.claim(10)  # killed before sending
    fake_twilio.now = lambda: yesterday
    await dead.providers[NoticeChannel.SMS].send(item.message)
    fake_twilio.now = clock.now
    live = worker(case_builder, fake_twilio, "live")
    try:
        clock.set(clock.now() + LEASE + timedelta(seconds=1))
        assert await live.drain() == 1
    finally:
        await close(dead, live)
    [notice] = await case_builder.notices(app_id)
    assert notice.status is NoticeStatus.SENT
    assert notice.provider_id == fake_twilio.messages[-1]["sid"]
    assert [m["to"] for m in fake_twilio.messages] == [phone_for(1)] * 2  # yesterday's + one


async def test_a_client_timeout_after_twilio_took_the_message_makes_no_duplicate(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.now = clock.now
    app_id = await case_builder.registered(1)
    fake_twilio.control("slow", delay=1.0)  # Twilio keeps it, answers after our timeout
    w = worker(case_builder, fake_twilio, "w", timeout=0.2)
    try:
        assert await w.drain() == 1
        [notice] = await case_builder.notices(app_id)
        assert (notice.status, notice.error_code) == (NoticeStatus.QUEUED, "timeout")
        fake_twilio.control("ok")
        clock.set(notice.due_at)
        assert await w.drain() == 1
    finally:
        await close(w)
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.attempts, notice.error_code) == (NoticeStatus.SENT, 2, None)
    assert notice.provider_id == fake_twilio.messages[0]["sid"]
    assert posts(fake_twilio) == 1 and len(fake_twilio.messages) == 1


async def test_when_twilio_cannot_say_the_worker_asks_again_later_and_sends_nothing(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.now = clock.now
    app_id = await case_builder.registered(1)
    dead = worker(case_builder, fake_twilio, "dead")
    await dead.claim(10)  # killed before sending
    live = worker(case_builder, fake_twilio, "live")
    try:
        clock.set(clock.now() + LEASE + timedelta(seconds=1))
        fake_twilio.control("down")
        assert await live.drain() == 1
        [notice] = await case_builder.notices(app_id)
        assert (notice.status, notice.error_code) == (NoticeStatus.QUEUED, "reconcile")
        assert posts(fake_twilio) == 0
        fake_twilio.control("ok")
        clock.set(notice.due_at)
        assert await live.drain() == 1
    finally:
        await close(dead, live)
    [notice] = await case_builder.notices(app_id)
    assert notice.status is NoticeStatus.SENT
    # Asked twice (down, then "not there"), then sent once.
    assert len(fake_twilio.lists) == 2
    assert posts(fake_twilio) == 1 and len(fake_twilio.messages) == 1
