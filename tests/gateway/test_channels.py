"""Both of the law's channels at once (SR §15, DR §21): SMS to an MCDB-registered phone AND the
chat for a bot filing, each its own outbox row; the case moves once, whichever arrives first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from twilio.request_validator import RequestValidator

from bot.factory import create_bot, create_dispatcher
from casework.law.district import District
from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.law.rules import Channel, DocumentKind, Ground
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps.broadcasts import broadcast_counts, create_broadcast, resend_failed
from casework.steps.notices import sent_notices
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.system.settings import Settings
from casework.tables.audit import AuditEvent
from casework.tables.mcdb import McdbEntry
from casework.texts.i18n import gettext
from casework.texts.status import CHANNEL_WORDS, status_text
from gateway.app import create_app
from gateway.providers.sandbox import DELIVERED_NUMBER, PERMANENT_FAILURE_NUMBER, SandboxProvider
from gateway.providers.telegram import TelegramProvider
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker
from tests.bot.flows import (
    OWN_PHONE,
    VALID_IIN,
    give_address,
    identify,
    send_signed,
    start_filing,
    upload,
)
from tests.bot.telegram import TOKEN as BOT_TOKEN
from tests.bot.telegram import FakeTelegram, Phone
from tests.builders import phone_for
from tests.fakes.clock import FixedClock
from tests.fakes.telegram_session import FakeTelegramSession
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases

PUBLIC = "https://komek.example.kz"
CHAT_ID = 777

K, C, S = NoticeKind, NoticeChannel, NoticeStatus


@pytest.fixture
async def webhooks(
    engine: AsyncEngine,
    case_builder: Cases,
    district: District,
    clock: FixedClock,
    fake_twilio: FakeTwilio,
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        public_url=PUBLIC,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_account_sid=fake_twilio.account_sid,
        _env_file=None,
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=case_builder.sessions,
        district=district,
        clock=clock,
    )
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def sms_and_chat_worker(
    case_builder: Cases, env: CaseEnv, fake: FakeTwilio
) -> tuple[Worker, TwilioProvider, FakeTelegramSession]:
    twilio = TwilioProvider(
        fake.account_sid,
        fake.auth_token,
        from_="+15005550006",
        api_base=fake.base_url,
        public_url=PUBLIC,
        rate_per_second=0,
    )
    tg = FakeTelegramSession()
    chat = TelegramProvider(Bot("42:TEST", session=tg), per_chat=0)
    worker = Worker(case_builder.sessions, env, {C.SMS: twilio, C.CHAT: chat})
    return worker, twilio, tg


async def test_a_bot_applicant_with_a_registered_phone_gets_the_decision_by_sms_and_in_chat(
    case_builder: Cases, env: CaseEnv, fake_twilio: FakeTwilio, webhooks: httpx.AsyncClient
) -> None:
    app_id = await case_builder.granted(1, locale="ru", channel=Channel.BOT, telegram_id=CHAT_ID)
    rows = await case_builder.notices(app_id)
    assert [(n.kind, n.channel, n.channel_reason, n.status) for n in rows] == [
        (K.ACCEPTANCE_RECEIPT, C.SMS, ChannelReason.MCDB_REGISTERED, S.QUEUED),
        (K.ACCEPTANCE_RECEIPT, C.CHAT, ChannelReason.SHOWN_WHEN_FILED, S.DELIVERED),
        (K.DECISION_GRANTED, C.SMS, ChannelReason.MCDB_REGISTERED, S.QUEUED),
        (K.DECISION_GRANTED, C.CHAT, ChannelReason.FILED_IN_BOT, S.QUEUED),
    ]

    worker, twilio, tg = sms_and_chat_worker(case_builder, env, fake_twilio)
    try:
        assert await worker.drain() == 3
    finally:
        await twilio.close()
    # The chat gets the decision (its receipt was on the screen when filed); the phone gets both.
    assert [m["chat_id"] for m in tg.sent] == [CHAT_ID]
    assert "назначена социальная помощь: 43\xa0250 ₸" in tg.sent[0]["text"]
    to_phone = sorted(fake_twilio.messages, key=lambda m: m["body"])
    assert [m["to"] for m in to_phone] == [phone_for(1)] * 2
    assert any("назначена «Помощь лицам с социально значимыми" in m["body"] for m in to_phone)
    app = await case_builder.application(app_id)
    assert app.status is Status.NOTIFIED_GRANTED  # by the chat, which arrived first
    assert next(d for d in app.deadlines if d.term is Term.CHAT_NOTICE).met_at == env.now()

    # Then Twilio reports the decision SMS delivered: recorded, and the case does not move again.
    [sms] = [
        n
        for n in await case_builder.notices(app_id)
        if n.kind is K.DECISION_GRANTED and n.channel is C.SMS
    ]
    path = f"/twilio/status?notice={sms.id}"
    form = {"MessageSid": sms.provider_id, "MessageStatus": "delivered"}
    signature = RequestValidator(fake_twilio.auth_token).compute_signature(PUBLIC + path, form)
    r = await webhooks.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 204
    rows = await case_builder.notices(app_id)
    assert [n.status for n in rows if n.kind is K.DECISION_GRANTED] == [S.DELIVERED] * 2
    async with case_builder.sessions() as s:
        notified = await s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.application_id == app_id,
                AuditEvent.to_status == Status.NOTIFIED_GRANTED,
            )
        )
        app = await case_builder.application(app_id)
        screen = status_text(app, env, "ru", notices=await sent_notices(s, app_id))
    assert notified == 1
    # The status screen names each notice once, with every channel that carried it.
    both = f"{gettext('ru', CHANNEL_WORDS[C.SMS])}, {gettext('ru', CHANNEL_WORDS[C.CHAT])}"
    listed = screen.split(gettext("ru", "Notices sent:"))[1].strip().splitlines()
    assert len(listed) == 2 and all(line.endswith(both) for line in listed)


async def test_a_preliminary_refusal_delivered_twice_starts_the_objection_window_once(
    case_builder: Cases, env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await case_builder.preliminary_refusal(
        1, phone=DELIVERED_NUMBER, channel=Channel.BOT, telegram_id=CHAT_ID
    )
    tg = FakeTelegramSession()
    chat = TelegramProvider(Bot("42:TEST", session=tg), per_chat=0)
    sms = SandboxProvider()  # delivers at once: both deliveries land in one batch
    worker = Worker(case_builder.sessions, env, {C.SMS: sms, C.CHAT: chat})
    received = env.now()
    await worker.drain()
    assert [m.address for m in sms.sent] == [DELIVERED_NUMBER] * 2  # receipt and refusal
    [refusal] = tg.sent  # with its object/attend buttons
    assert refusal["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        f"notice:object:{app_id}"
    )
    app = await case_builder.application(app_id)
    assert app.hearings[-1].received_at == received
    assert app.deadline(Term.OBJECTION) == date(2026, 11, 18)


async def test_a_bot_filings_receipt_is_not_sent_to_the_chat_again(
    database_url: str,
    engine: AsyncEngine,
    case_builder: Cases,
    env: CaseEnv,
    district: District,
    clock: FixedClock,
    fake_twilio: FakeTwilio,
    tmp_path: Path,
) -> None:
    async with transaction(case_builder.sessions) as s:
        s.add(
            McdbEntry(
                iin=VALID_IIN,
                phone=OWN_PHONE,
                registered_on=date(2020, 1, 1),
                imported_at=env.now(),
            )
        )
    settings = Settings(
        database_url=database_url, files_dir=tmp_path, redis_url=None, _env_file=None
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=case_builder.sessions,
        district=district,
        clock=clock,
    )
    telegram = FakeTelegram()
    bot = create_bot(BOT_TOKEN, session=telegram)
    p = Phone(create_dispatcher(runtime), bot, telegram)
    await identify(p, "kk")
    await start_filing(p, "kk", Ground.DISEASE)
    await give_address(p, "kk")
    await upload(p, "kk", DocumentKind.IDENTITY)
    await upload(p, "kk", DocumentKind.DISEASE_PROOF, pdf=True)
    await send_signed(p, "kk", case_builder.sessions)
    assert p.text.startswith("✅")  # the receipt, on the bot's own screen
    said = len(p.said())

    twilio = TwilioProvider(
        fake_twilio.account_sid,
        fake_twilio.auth_token,
        from_="+15005550006",
        api_base=fake_twilio.base_url,
        rate_per_second=0,
    )
    worker = Worker(case_builder.sessions, env, {C.SMS: twilio, C.CHAT: TelegramProvider(bot)})
    try:
        await worker.drain()
    finally:
        await twilio.close()
    assert len(p.said()) == said  # nothing more in the chat
    # The signing code, then the receipt: the SMS still goes.
    assert [m["to"] for m in fake_twilio.messages] == [OWN_PHONE] * 2
    rows = await case_builder.notices()
    assert [(n.kind, n.channel, n.status) for n in rows] == [
        (K.SIGNING_CODE, C.SMS, S.SENT),
        (K.ACCEPTANCE_RECEIPT, C.SMS, S.SENT),
        (K.ACCEPTANCE_RECEIPT, C.CHAT, S.DELIVERED),
    ]


async def test_a_broadcast_counts_recipients_not_rows(case_builder: Cases, env: CaseEnv) -> None:
    # A: SMS fails for good but the chat gets it · B: SMS and chat both · C: paper only.
    a = await case_builder.preliminary_refusal(
        1, phone=PERMANENT_FAILURE_NUMBER, channel=Channel.BOT, telegram_id=701
    )
    b = await case_builder.preliminary_refusal(
        2, phone=DELIVERED_NUMBER, channel=Channel.BOT, telegram_id=702
    )
    c = await case_builder.preliminary_refusal(3, mcdb=False)
    async with transaction(case_builder.sessions) as s:
        broadcast = await create_broadcast(
            s, env, kind=K.HEARING_INVITATION, application_ids=[a, b, c], created_by="secretary"
        )
    rows = [n for n in await case_builder.notices() if n.broadcast_id == broadcast.id]
    assert len(rows) == 5 and broadcast.total == 3
    async with case_builder.sessions() as s:
        assert await broadcast_counts(s, broadcast.id) == {
            "queued": 2,
            "sent": 0,
            "delivered": 0,
            "failed": 0,
            "printed": 1,
            "total": 3,
        }
    tg = FakeTelegramSession()
    chat = TelegramProvider(Bot("42:TEST", session=tg), per_chat=0)
    worker = Worker(case_builder.sessions, env, {C.SMS: SandboxProvider(), C.CHAT: chat})
    await worker.drain()
    rows = [n for n in await case_builder.notices() if n.broadcast_id == broadcast.id]
    assert sum(n.status is S.TO_PRINT and n.failed_channel is C.SMS for n in rows) == 1
    async with case_builder.sessions() as s:
        assert await broadcast_counts(s, broadcast.id) == {
            "queued": 0,
            "sent": 0,
            "delivered": 2,
            "failed": 0,
            "printed": 1,
            "total": 3,
        }
    # A has it in the chat: a resend bothers nobody.
    async with transaction(case_builder.sessions) as s:
        assert await resend_failed(s, env, broadcast.id, actor="secretary") == 0


async def test_a_recipient_whose_every_channel_failed_is_failed_once_and_resent(
    case_builder: Cases, env: CaseEnv
) -> None:
    a = await case_builder.preliminary_refusal(
        1, phone=PERMANENT_FAILURE_NUMBER, channel=Channel.BOT, telegram_id=701
    )
    async with transaction(case_builder.sessions) as s:
        broadcast = await create_broadcast(
            s, env, kind=K.HEARING_INVITATION, application_ids=[a], created_by="secretary"
        )
    tg = FakeTelegramSession()
    for _ in range(2):  # the refusal and the invitation in the chat: the bot is blocked
        tg.blocked()
    chat = TelegramProvider(Bot("42:TEST", session=tg), per_chat=0)
    sms = SandboxProvider()
    worker = Worker(case_builder.sessions, env, {C.SMS: sms, C.CHAT: chat})
    await worker.drain()
    async with case_builder.sessions() as s:
        counts = await broadcast_counts(s, broadcast.id)
    assert (counts["failed"], counts["total"]) == (1, 1)
    # The applicant registers a working number; the chat is still blocked.
    async with transaction(case_builder.sessions) as s:
        from casework.steps.case_file import load_application

        app = await load_application(s, a)
        app.phone = DELIVERED_NUMBER
        s.add(
            McdbEntry(
                iin=app.applicant.iin,
                phone=DELIVERED_NUMBER,
                registered_on=date(2024, 1, 1),
                imported_at=env.now(),
            )
        )
    async with transaction(case_builder.sessions) as s:
        assert await resend_failed(s, env, broadcast.id, actor="secretary") == 1
    tg.blocked()
    await worker.drain()
    assert [m.address for m in sms.sent] == [DELIVERED_NUMBER]
    async with case_builder.sessions() as s:
        counts = await broadcast_counts(s, broadcast.id)
    assert (counts["delivered"], counts["failed"], counts["total"]) == (1, 0, 1)
