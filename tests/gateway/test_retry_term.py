"""Retries follow the notice's legal term, not a count: a provider outage of minutes sends
nothing to print; only a term that would pass before the next try does, and says so."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from casework.law.notices import ChannelReason, NoticeChannel, NoticeStatus
from casework.system.db import transaction
from casework.tables.notices import Notice
from gateway.providers.twilio import TwilioProvider
from gateway.worker import TERM_AT_RISK, Worker, WorkerConfig
from tests.fakes.clock import FixedClock
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

MARGIN = WorkerConfig().print_margin


def worker(cases: Cases, fake: FakeTwilio) -> Worker:
    provider = TwilioProvider(
        fake.account_sid,
        fake.auth_token,
        from_="+15005550006",
        api_base=fake.base_url,
        rate_per_second=0,
    )
    return Worker(cases.sessions, cases.env, {NoticeChannel.SMS: provider}, name="w")


async def set_term(cases: Cases, app_id: int, deliver_by: datetime | None) -> None:
    async with transaction(cases.sessions) as s:
        await s.execute(
            update(Notice).where(Notice.application_id == app_id).values(deliver_by=deliver_by)
        )


async def retry_while(
    cases: Cases, w: Worker, clock: FixedClock, app_id: int, until: datetime
) -> Notice:
    """Drain, then move the clock to the next retry, while the clock is before `until` and the
    notice is waiting for a retry; returns the notice."""
    while True:
        await w.drain()
        [notice] = await cases.notices(app_id)
        if notice.status is not NoticeStatus.QUEUED or notice.due_at > until:
            return notice
        clock.set(max(clock.now(), notice.due_at))


async def test_a_ten_minute_outage_prints_nothing_and_the_notice_goes_after_it(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    start = clock.now()
    soon = await case_builder.registered(1)
    no_term = await case_builder.registered(2)
    # Due by the end of tomorrow, and one with no legal term at all.
    await set_term(case_builder, soon, start + timedelta(days=1))
    await set_term(case_builder, no_term, None)
    fake_twilio.control("down", status=503)
    w = worker(case_builder, fake_twilio)
    try:
        end = start + timedelta(minutes=10)
        while clock.now() < end:
            await w.drain()
            notices = await case_builder.notices()
            assert {n.status for n in notices} == {NoticeStatus.QUEUED}
            clock.set(max(clock.now() + timedelta(seconds=1), min(n.due_at for n in notices)))
        assert all(n.attempts >= 4 for n in notices)  # retried all along, with backoff
        fake_twilio.control("ok")
        for _ in range(3):
            clock.set(max(clock.now(), *(n.due_at for n in await case_builder.notices())))
            await w.drain()
    finally:
        for p in w.providers.values():
            await p.close()
    notices = await case_builder.notices()
    assert [n.status for n in notices] == [NoticeStatus.SENT] * 2
    assert all(n.channel is NoticeChannel.SMS for n in notices)
    assert len(fake_twilio.messages) == 2


async def test_a_term_that_passes_during_an_outage_prints_the_notice_in_time_and_says_why(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    term = clock.now() + timedelta(hours=6)
    await set_term(case_builder, app_id, term)
    fake_twilio.control("down", status=503)
    w = worker(case_builder, fake_twilio)
    try:
        notice = await retry_while(case_builder, w, clock, app_id, term)
    finally:
        for p in w.providers.values():
            await p.close()
    assert notice.status is NoticeStatus.TO_PRINT
    assert (notice.channel, notice.failed_channel, notice.channel_reason) == (
        NoticeChannel.PRINT,
        NoticeChannel.SMS,
        ChannelReason.SMS_FAILED,
    )
    assert notice.error_code == TERM_AT_RISK
    assert "too late for the term" in (notice.error_message or "")
    assert "503" in (notice.error_message or "")
    # Retried for hours, and printed with time left for staff to hand it over.
    assert notice.attempts > 5
    assert notice.updated_at <= term - MARGIN
    assert notice.updated_at >= term - MARGIN - WorkerConfig().backoff_cap * timedelta(seconds=1)
    assert not fake_twilio.messages


async def test_a_notice_without_a_term_is_retried_for_a_working_day_then_printed(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    await set_term(case_builder, app_id, None)
    [notice] = await case_builder.notices(app_id)
    fake_twilio.control("down", status=503)
    w = worker(case_builder, fake_twilio)
    default_end = notice.created_at + WorkerConfig().default_term
    try:
        notice = await retry_while(case_builder, w, clock, app_id, default_end)
    finally:
        for p in w.providers.values():
            await p.close()
    assert (notice.status, notice.error_code) == (NoticeStatus.TO_PRINT, TERM_AT_RISK)
    assert notice.attempts > 20  # not the old six
    assert default_end - timedelta(hours=5) <= notice.updated_at <= default_end - MARGIN


async def test_when_the_provider_returns_the_waiting_notices_go_within_a_minute(
    case_builder: Cases, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    """After a 10-minute outage each notice's own backoff has grown to minutes. While the
    provider is down the worker tries one waiting notice every 30 s; the first to go through
    sends the rest at once, not minutes later."""
    for n in (1, 2, 3):
        await case_builder.registered(n)
    fake_twilio.control("down", status=503)
    w = worker(case_builder, fake_twilio)
    step = timedelta(seconds=5)

    async def a_pass() -> None:  # what `run` does each pass
        await w.probe()
        await w.drain()
        clock.set(clock.now() + step)

    try:
        end = clock.now() + timedelta(minutes=10)
        while clock.now() < end:
            await a_pass()
        tries = [n.attempts for n in await case_builder.notices()]
        assert all(t >= 5 for t in tries)  # each retried with its own backoff all along
        assert sum(tries) < 3 * 12 + 600 // 30, tries  # and a probe every 30 s, not every pass
        fake_twilio.control("ok")
        back = clock.now()
        while clock.now() - back <= timedelta(minutes=1):
            await a_pass()
            if {n.status for n in await case_builder.notices()} == {NoticeStatus.SENT}:
                break
    finally:
        for p in w.providers.values():
            await p.close()
    assert [n.status for n in await case_builder.notices()] == [NoticeStatus.SENT] * 3
    assert clock.now() - back <= timedelta(seconds=35)  # the next probe, then everything
    assert len(fake_twilio.messages) == 3
