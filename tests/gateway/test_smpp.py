"""SMS over SMPP 3.4 against a local SMSC (tests/fakes/smpp_server.py), through smpp34."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus, Outcome
from casework.law.status import Status
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.system.settings import Settings
from gateway.providers import build_providers
from gateway.providers.base import Outgoing
from gateway.providers.failover import FailoverProvider
from gateway.providers.smpp import SmppProvider, store_receipts
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker
from tests.builders import phone_for
from tests.fakes.clock import FixedClock
from tests.fakes.smpp_server import ESME_RINVDSTADR, ESME_RTHROTTLED, FakeSmsc, Message
from tests.gateway.conftest import Cases

# Every Kazakh letter the Russian alphabet lacks, in a text of four UCS-2 parts (67 each).
KAZAKH = (
    "Құрметті Әйгерім! Сіздің өтінішіңіз бойынша «Көмек» тағайындалды: 43 250 теңге. "
    "Ақша үш жұмыс күні ішінде шотыңызға түседі. Сұрақтарыңыз болса, шаһардағы әкімдіктің "
    "әлеуметтік бөліміне хабарласыңыз немесе ботқа жазыңыз. Сізге денсаулық тілейміз!"
)


@pytest.fixture
async def smsc() -> AsyncIterator[FakeSmsc]:
    server = FakeSmsc()
    await server.start()
    yield server
    await server.stop()


def smpp_provider(smsc: FakeSmsc, runtime: Runtime | None = None, **kw: object) -> SmppProvider:
    return SmppProvider(
        smsc.host,
        smsc.port,
        smsc.system_id,
        smsc.password,
        source_addr="KOMEK",
        rate_per_second=0,
        timeout=5,
        on_receipt=store_receipts(runtime) if runtime is not None else None,
        **kw,
    )


def outgoing(text: str, address: str = "+77011234567", notice_id: int = 1) -> Outgoing:
    return Outgoing(notice_id, 1, NoticeKind.DECISION_GRANTED, "kk", address, text)


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not await check():
            await asyncio.sleep(0.02)


async def test_a_long_kazakh_message_arrives_whole_in_ucs2_parts(smsc: FakeSmsc) -> None:
    assert len(KAZAKH) > 3 * 67 and all(c in KAZAKH for c in "әғқңөұүһі")
    provider = smpp_provider(smsc)
    try:
        result = await provider.send(outgoing(KAZAKH))
    finally:
        await provider.close()
    [message] = smsc.messages
    assert message.text == KAZAKH  # reassembled from its UDH parts, in order
    assert (message.destination, message.source, message.data_coding) == (
        "77011234567",
        "KOMEK",
        0x08,
    )
    assert message.registered_delivery & 0x01  # a receipt is asked for
    assert len(message.part_ids) == len(smsc.parts) == 4
    assert len({p.ref for p in smsc.parts}) == 1 and [p.seq for p in smsc.parts] == [1, 2, 3, 4]
    # The notice keeps the last part's id: its receipt says the whole message arrived.
    assert (result.outcome, result.provider, result.segments) == (Outcome.ACCEPTED, "smpp", 4)
    assert result.provider_id == message.part_ids[-1]


async def test_a_short_message_goes_as_one_part_without_a_header(smsc: FakeSmsc) -> None:
    provider = smpp_provider(smsc)
    try:
        result = await provider.send(outgoing("Сәлем! Өтінішіңіз қабылданды."))
    finally:
        await provider.close()
    [part] = smsc.parts
    assert part.ref is None and smsc.messages[0].text == "Сәлем! Өтінішіңіз қабылданды."
    assert result.segments == 1 and result.provider_id == part.message_id


async def test_notices_go_by_smpp_and_a_receipt_marks_the_decision_delivered(
    case_builder: Cases, env: CaseEnv, runtime: Runtime, smsc: FakeSmsc
) -> None:
    smsc.receipt_delay = 0.3  # after the worker recorded the send, as a real SMSC would
    app_id = await case_builder.granted(1, locale="kk")
    provider = smpp_provider(smsc, runtime)
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider})
    try:
        assert await worker.drain() == 2
        sent = await case_builder.notices(app_id)
        assert {(n.status, n.provider) for n in sent} == {(NoticeStatus.SENT, "smpp")}

        async def all_delivered() -> bool:
            notices = await case_builder.notices(app_id)
            return all(n.status is NoticeStatus.DELIVERED for n in notices)

        await until(all_delivered)
    finally:
        await provider.close()
    by_id: dict[str | None, Message] = {m.part_ids[-1]: m for m in smsc.messages}
    for notice in await case_builder.notices(app_id):
        assert by_id[notice.provider_id].text == notice.sms_text
        assert by_id[notice.provider_id].destination == phone_for(1).lstrip("+")
        assert notice.provider_status == "delivrd"
    assert (await case_builder.application(app_id)).status is Status.NOTIFIED_GRANTED


async def test_a_receipt_that_overtakes_the_workers_record_still_counts(
    case_builder: Cases, env: CaseEnv, runtime: Runtime, smsc: FakeSmsc
) -> None:
    smsc.receipt_first = True  # each receipt reaches us before its submit_sm_resp
    app_id = await case_builder.granted(1)
    provider = smpp_provider(smsc, runtime)
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider})
    try:
        await worker.drain()

        async def all_delivered() -> bool:
            notices = await case_builder.notices(app_id)
            return all(n.status is NoticeStatus.DELIVERED for n in notices)

        await until(all_delivered)
    finally:
        await provider.close()
    assert len(smsc.messages) == 2  # one each, not resent
    assert {n.provider for n in await case_builder.notices(app_id)} == {"smpp"}


async def test_an_undeliverable_receipt_sends_the_notice_to_print(
    case_builder: Cases, env: CaseEnv, runtime: Runtime, smsc: FakeSmsc
) -> None:
    smsc.receipt_stat, smsc.receipt_delay = "UNDELIV", 0.2
    app_id = await case_builder.granted(1)
    provider = smpp_provider(smsc, runtime)
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider})
    try:
        await worker.drain()

        async def decision_printed() -> bool:
            notices = await case_builder.notices(app_id)
            return notices[-1].status is NoticeStatus.TO_PRINT

        await until(decision_printed)
    finally:
        await provider.close()
    decision = (await case_builder.notices(app_id))[-1]
    assert (decision.channel, decision.failed_channel) == (NoticeChannel.PRINT, NoticeChannel.SMS)


async def test_throttling_pauses_and_the_retry_sends_it_once(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, smsc: FakeSmsc
) -> None:
    app_id = await case_builder.registered(1)
    smsc.script(ESME_RTHROTTLED)
    provider = smpp_provider(smsc)
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: provider})
    try:
        await worker.drain()
        [notice] = await case_builder.notices(app_id)
        assert (notice.status, notice.error_code) == (NoticeStatus.QUEUED, "ESME_RTHROTTLED")
        assert notice.due_at > clock.now()
        clock.set(notice.due_at)
        # The SMSC's "slow down" holds every send on this bind for a moment.
        loop = asyncio.get_running_loop()
        started = loop.time()
        await worker.drain()
        assert loop.time() - started >= 0.5
    finally:
        await provider.close()
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.attempts, notice.provider) == (NoticeStatus.SENT, 2, "smpp")
    assert len(smsc.messages) == 1


async def test_an_invalid_destination_is_permanent(smsc: FakeSmsc) -> None:
    smsc.script(ESME_RINVDSTADR)
    provider = smpp_provider(smsc)
    try:
        result = await provider.send(outgoing("Сәлем"))
    finally:
        await provider.close()
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "ESME_RINVDSTADR")
    assert smsc.messages == []


async def test_a_text_longer_than_255_parts_is_refused_before_sending(smsc: FakeSmsc) -> None:
    provider = smpp_provider(smsc)
    try:
        result = await provider.send(outgoing("ә" * (255 * 67 + 1)))
    finally:
        await provider.close()
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "too_long")
    assert smsc.parts == []


async def test_a_dropped_session_is_bound_again(smsc: FakeSmsc) -> None:
    provider = smpp_provider(smsc)
    try:
        assert (await provider.send(outgoing("бір", notice_id=1))).outcome is Outcome.ACCEPTED
        smsc.drop()  # the SMSC restarts, or the network cuts the TCP session
        await until(lambda: _true(provider._smsc is None))
        assert (await provider.send(outgoing("екі", notice_id=2))).outcome is Outcome.ACCEPTED
    finally:
        await provider.close()
    assert [m.text for m in smsc.messages] == ["бір", "екі"]
    assert smsc.binds == provider.binds == 2


async def test_a_wrong_password_is_retried_not_printed(smsc: FakeSmsc) -> None:
    provider = SmppProvider(
        smsc.host, smsc.port, smsc.system_id, "wrong", source_addr="KOMEK", timeout=5
    )
    try:
        result = await provider.send(outgoing("Сәлем"))
    finally:
        await provider.close()
    assert (result.outcome, result.error_code) == (Outcome.TRANSIENT, "bind")
    assert smsc.messages == []


async def test_find_sent_knows_what_the_smsc_answered_and_nothing_else(smsc: FakeSmsc) -> None:
    provider = smpp_provider(smsc)
    since = datetime(2026, 11, 16, tzinfo=UTC)
    try:
        sent = await provider.send(outgoing("Сәлем", notice_id=7))
        assert await provider.find_sent(outgoing("Сәлем", notice_id=7), since) == sent
        assert await provider.find_sent(outgoing("Сәлем", notice_id=8), since) is None
    finally:
        await provider.close()


async def _true(value: bool) -> bool:
    return value


def test_both_providers_configured_fail_over_twilio_first(settings: Settings) -> None:
    configured = settings.model_copy(
        update={
            "twilio_account_sid": "AC" + "0" * 32,
            "twilio_auth_token": SecretStr("token"),
            "twilio_from": "+15005550006",
            "smpp_host": "127.0.0.1",
            "smpp_system_id": "komek",
        }
    )
    sms = build_providers(configured)[NoticeChannel.SMS]
    assert isinstance(sms, FailoverProvider)
    assert [type(p) for p in sms.providers] == [TwilioProvider, SmppProvider]
    smpp_only = settings.model_copy(update={"smpp_host": "127.0.0.1", "smpp_system_id": "komek"})
    assert isinstance(build_providers(smpp_only)[NoticeChannel.SMS], SmppProvider)
