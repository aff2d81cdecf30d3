"""The worker against a local fake Twilio, through the real `twilio` library's async client."""

from __future__ import annotations

from datetime import timedelta

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus, Outcome
from casework.law.status import Status
from casework.system.env import CaseEnv
from gateway.providers.base import Outgoing
from gateway.providers.twilio import TwilioProvider
from gateway.sms import segments
from gateway.worker import Worker, WorkerConfig
from tests.builders import phone_for
from tests.fakes.clock import FixedClock
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

PUBLIC_URL = "https://komek.example.kz"


def twilio_provider(fake: FakeTwilio) -> TwilioProvider:
    return TwilioProvider(
        fake.account_sid,
        fake.auth_token,
        from_="+15005550006",
        api_base=fake.base_url,
        public_url=PUBLIC_URL,
        rate_per_second=0,
    )


def twilio_worker(
    case_builder: Cases, env: CaseEnv, fake: FakeTwilio, **cfg: object
) -> tuple[Worker, TwilioProvider]:
    provider = twilio_provider(fake)
    worker = Worker(
        case_builder.sessions, env, {NoticeChannel.SMS: provider}, config=WorkerConfig(**cfg)
    )  # type: ignore[arg-type]
    return worker, provider


async def test_sms_goes_to_the_registered_number_in_the_applicants_language(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio
) -> None:
    kk_app = await case_builder.granted(1, locale="kk")
    ru_app = await case_builder.granted(2, locale="ru")
    worker, provider = twilio_worker(case_builder, env, fake_twilio)
    try:
        assert await worker.drain() == 4
    finally:
        await provider.close()
    by_to = {}
    for m in fake_twilio.messages:
        by_to.setdefault(m["to"], []).append(m)
    kk_decision = by_to[phone_for(1)][-1]["body"]
    ru_decision = by_to[phone_for(2)][-1]["body"]
    assert "көмек» тағайындалды" in kk_decision and "43\xa0250" in kk_decision
    assert "назначена «Помощь" in ru_decision and "единовременно" in ru_decision
    for app_id in (kk_app, ru_app):
        for notice in await case_builder.notices(app_id):
            assert notice.status is NoticeStatus.SENT
            assert notice.provider == "twilio" and notice.provider_id.startswith("SM")
            assert notice.segments == segments(notice.sms_text)
            assert notice.segments <= 2  # the SMS versions are written short
    callback = fake_twilio.messages[0]["status_callback"]
    assert callback.startswith(f"{PUBLIC_URL}/twilio/status?notice=")
    # SMS is only "sent" until the delivery receipt: the decision is not notified yet.
    assert (await case_builder.application(kk_app)).status is Status.GRANTED


async def test_a_500_then_201_sends_one_message_not_two(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    fake_twilio.script(500)
    worker, provider = twilio_worker(case_builder, env, fake_twilio)
    try:
        await worker.drain()
        [notice] = await case_builder.notices(app_id)
        assert (notice.status, notice.attempts, notice.error_code) == (
            NoticeStatus.QUEUED,
            1,
            "500",
        )
        assert await worker.drain() == 0  # backing off: not due yet
        clock.set(notice.due_at + timedelta(seconds=1))
        await worker.drain()
        await worker.drain()
    finally:
        await provider.close()
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.attempts) == (NoticeStatus.SENT, 2)
    assert len(fake_twilio.requests) == 2
    assert len(fake_twilio.messages) == 1


async def test_rate_limit_429_is_retried(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    fake_twilio.script((429, 20429))
    worker, provider = twilio_worker(case_builder, env, fake_twilio)
    try:
        await worker.drain()
        [notice] = await case_builder.notices(app_id)
        assert notice.status is NoticeStatus.QUEUED
        clock.set(notice.due_at)
        await worker.drain()
    finally:
        await provider.close()
    [notice] = await case_builder.notices(app_id)
    assert notice.status is NoticeStatus.SENT
    assert len(fake_twilio.messages) == 1


async def test_permanent_errors_end_in_the_print_queue(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio
) -> None:
    codes = [21211, 21610, 21614, 30005, 30006, 30007]
    apps = [await case_builder.registered(i + 1) for i in range(len(codes))]
    for i, code in enumerate(codes):
        fake_twilio.by_number[phone_for(i + 1)] = fake_twilio_answer(400, code)
    worker, provider = twilio_worker(case_builder, env, fake_twilio)
    try:
        await worker.drain()
    finally:
        await provider.close()
    for app_id, code in zip(apps, codes, strict=True):
        [notice] = await case_builder.notices(app_id)
        assert notice.status is NoticeStatus.TO_PRINT
        assert (notice.channel, notice.failed_channel) == (NoticeChannel.PRINT, NoticeChannel.SMS)
        assert notice.error_code == str(code)
        assert notice.attempts == 1  # no pointless retries
    assert not fake_twilio.messages


async def test_exhausted_retries_fall_back_to_print(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    fake_twilio.by_number[phone_for(1)] = fake_twilio_answer(503, 20503)
    worker, provider = twilio_worker(case_builder, env, fake_twilio, max_attempts=3)
    try:
        for _ in range(3):
            await worker.drain()
            [notice] = await case_builder.notices(app_id)
            clock.set(max(clock.now(), notice.due_at))
    finally:
        await provider.close()
    assert (notice.status, notice.attempts) == (NoticeStatus.TO_PRINT, 3)
    assert len(fake_twilio.requests) == 3


async def test_a_worker_killed_between_claim_and_send_loses_nothing(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    dead, dead_provider = twilio_worker(case_builder, env, fake_twilio)
    claimed = await dead.claim(10)  # …and the process dies here, before sending
    assert [c.id for c in claimed] == [n.id for n in await case_builder.notices(app_id)]
    live, provider = twilio_worker(case_builder, env, fake_twilio)
    try:
        assert await live.drain() == 0  # in flight: another worker may still be sending it
        # Within a minute, not ten: the dead worker's lease lapses and it is taken over.
        clock.set(clock.now() + live.config.lease + timedelta(seconds=1))
        assert await live.drain() == 1
        assert await live.drain() == 0
    finally:
        await provider.close()
        await dead_provider.close()
    [notice] = await case_builder.notices(app_id)
    assert notice.status is NoticeStatus.SENT
    assert len(fake_twilio.messages) == 1


async def test_messaging_service_sender_and_contract(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio
) -> None:
    assert fake_twilio.contract is not None, "the Twilio contract file is needed"
    await case_builder.registered(1)
    provider = TwilioProvider(
        fake_twilio.account_sid,
        fake_twilio.auth_token,
        messaging_service_sid="MG" + "a" * 32,
        api_base=fake_twilio.base_url,
    )
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider})
    try:
        await worker.drain()
    finally:
        await provider.close()
    [request] = fake_twilio.requests
    assert set(request["form"]) <= fake_twilio.contract.known
    assert request["form"]["MessagingServiceSid"] == "MG" + "a" * 32
    assert "From" not in request["form"]
    assert len(fake_twilio.messages) == 1


async def test_a_request_that_times_out_is_retried_with_a_short_code(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio
) -> None:
    app_id = await case_builder.registered(1)
    fake_twilio.by_number[phone_for(1)] = fake_twilio_answer(201, 0, delay=2.0)
    provider = TwilioProvider(
        fake_twilio.account_sid,
        fake_twilio.auth_token,
        from_="+15005550006",
        api_base=fake_twilio.base_url,
        rate_per_second=0,
        timeout=0.2,
    )
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider})
    try:
        assert await worker.drain() == 1
    finally:
        await provider.close()
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.error_code) == (NoticeStatus.QUEUED, "timeout")
    assert "TimeoutError" in notice.error_message


def fake_twilio_answer(status: int, code: int, delay: float = 0.0):  # type: ignore[no-untyped-def]
    from tests.fakes.twilio_server import Answer

    return Answer(status, code, delay)


async def test_twilio_receives_what_the_librarys_own_message_call_sends(
    fake_twilio: FakeTwilio,
) -> None:
    """The provider encodes the form itself and reads the answer as JSON (both cheaper than the
    library's way): Twilio must see the same request, byte for byte, and the same message."""
    text = (
        "№7 өтініш: көмек тағайындалды, 43 250 ₸ & 100% — «бір жолғы»? "
        "Сұрақтарыңыз болса, аудандық бөлімге хабарласыңыз."
    )
    provider = twilio_provider(fake_twilio)
    try:
        result = await provider.send(
            Outgoing(7, 1, NoticeKind.ACCEPTANCE_RECEIPT, "kk", "+77010000007", text)
        )
        await provider.client.messages.create_async(
            to="+77010000007",
            from_="+15005550006",
            body=text,
            status_callback=f"{PUBLIC_URL}/twilio/status?notice=7",
        )
    finally:
        await provider.close()
    ours, librarys = fake_twilio.requests
    assert ours["body"] == librarys["body"]
    assert ours["headers"]["Content-Type"] == librarys["headers"]["Content-Type"]
    assert ours["form"]["Body"] == text
    # Twilio's answer: the message's sid, "queued", two UCS-2 segments for this text.
    assert result.outcome is Outcome.ACCEPTED
    assert (result.provider_id, result.provider_status) == (
        fake_twilio.messages[0]["sid"],
        "queued",
    )
    assert result.segments == 2
