"""A broadcast of 1,000 hearing invitations against fake providers that fail some requests.

Real HTTP on both sides: Twilio's library to a fake Messages API, aiogram to a fake Bot API; the
staff API starts the broadcast and reads its counts, Twilio's signed delivery receipts come
through the webhook. Every recipient must end delivered, or in the print queue after a
permanent failure, and neither provider may see more requests per second than configured.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date, timedelta
from itertools import pairwise

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from twilio.request_validator import RequestValidator

from casework.law.notices import NoticeChannel, NoticeStatus
from casework.law.roles import Role
from casework.law.rules import Channel, DocumentKind, Ground, HearingMode, RefusalGround
from casework.steps import commission, hearings, intake
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.system.settings import Settings
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from gateway.providers.telegram import TelegramProvider
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.builders import iin_for, phone_for, take_in_signed
from tests.fakes.clock import FixedClock
from tests.fakes.twilio_server import Answer, FakeTwilio
from tests.staff.conftest import Api
from tests.staff.fake_telegram import FakeBotApi

N = 1000
CHAT_EVERY = 5  # every fifth applicant filed through the bot: 200 chats, 800 SMS
SMS_RATE = 200.0  # the configured Twilio rate, messages per second
TG_RATE, TG_PER_CHAT = 30.0, 1.0
PUBLIC_URL = "https://komek.example.kz"
HEARING_DAY = date(2026, 11, 20)


def by_chat(i: int) -> bool:
    return i % CHAT_EVERY == 0


async def invitees(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> None:
    """N applicants with a preliminary refusal and a hearing on HEARING_DAY (via the use cases)."""
    for start in range(1, N + 1, 100):
        async with transaction(sessions) as s:
            for i in range(start, start + 100):
                chat = by_chat(i)
                if not chat:
                    s.add(
                        McdbEntry(
                            iin=iin_for(i),
                            phone=phone_for(i),
                            registered_on=date(2020, 1, 1),
                            imported_at=env.now(),
                        )
                    )
                applicant = await intake.get_or_create_applicant(
                    s,
                    env,
                    iin_for(i),
                    last_name="Тестова",
                    first_name=f"Айым {i}",
                    locale="ru" if i % 2 else "kk",
                    phone=None if chat else phone_for(i),
                    telegram_id=700_000 + i if chat else None,
                )
                app = await intake.start_application(
                    s,
                    env,
                    applicant,
                    actor="test",
                    ground=Ground.DISEASE,
                    channel=Channel.BOT if chat else Channel.PROVIDER_OFFICE,
                    phone=None if chat else phone_for(i),
                )
                for kind in (DocumentKind.IDENTITY, DocumentKind.DISEASE_PROOF):
                    await intake.attach_document(
                        s,
                        env,
                        app,
                        kind=kind,
                        file_name="d.pdf",
                        content_type="application/pdf",
                        size=1,
                        sha256="0" * 64,
                        storage_path="d",
                        actor="test",
                    )
                assert await take_in_signed(s, env, app, actor="test")
                await commission.to_special_commission(s, env, app, actor="test")
                await commission.record_conclusion(s, env, app, "Көмек керек.", actor="test")
                await hearings.issue_preliminary_refusal(
                    s,
                    env,
                    app,
                    grounds=[RefusalGround.ALREADY_ASSIGNED],
                    scheduled_at=env.calendar.local(env.now()).replace(
                        year=2026, month=11, day=20, hour=9 + i % 8, minute=0
                    ),
                    mode=HearingMode.VIDEOCONFERENCE,
                    details="https://meet.example.kz/h",
                    actor="test",
                )
    # The receipts and preliminary refusals went out earlier; only the invitations are tested.
    async with transaction(sessions) as s:
        await s.execute(update(Notice).values(status=NoticeStatus.DELIVERED))


def max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


class TimedTwilio(FakeTwilio):
    """The fake Twilio, noting when each request arrived."""

    arrivals: list[float]

    async def _create(self, request):  # type: ignore[no-untyped-def]
        self.arrivals.append(asyncio.get_running_loop().time())
        return await super()._create(request)


class TimedTwilioProvider(TwilioProvider):
    """The real provider, noting when each send starts (the worker released it to the wire)."""

    started: list[float]

    async def send(self, message):  # type: ignore[no-untyped-def]
        self.started.append(asyncio.get_running_loop().time())
        return await super().send(message)


class TimedTelegramProvider(TelegramProvider):
    """The real provider, noting when each send starts and to which chat."""

    started: list[tuple[float, str]]

    async def send(self, message):  # type: ignore[no-untyped-def]
        self.started.append((asyncio.get_running_loop().time(), message.address))
        return await super().send(message)


@pytest.fixture
async def twilio() -> AsyncIterator[TimedTwilio]:
    server = TimedTwilio()
    server.arrivals = []
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(settings: Settings, twilio: TimedTwilio) -> Settings:
    return settings.model_copy(
        update={
            "public_url": PUBLIC_URL,
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": SecretStr(twilio.auth_token),
            "twilio_from": "+15005550006",
            "twilio_api_base": twilio.base_url,
            "twilio_rate_per_second": SMS_RATE,
        }
    )


async def deliver_receipts(api: Api, twilio: TimedTwilio, token: str) -> None:
    """Twilio reports each accepted message delivered, signed as Twilio signs it."""
    validator = RequestValidator(token)
    for message in twilio.messages:
        url = message["status_callback"]
        form = {"MessageSid": message["sid"], "MessageStatus": "delivered"}
        r = await api.http.post(
            url.replace(PUBLIC_URL, ""),
            data=form,
            headers={"X-Twilio-Signature": validator.compute_signature(url, form)},
        )
        assert r.status_code == 204, r.text
    twilio.messages.clear()


async def run_until_settled(worker: Worker, sessions, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    """Drain; let the backoff pass on the clock; again, until nothing waits to be sent."""
    for _ in range(20):
        await worker.fill()  # a pass of the worker's loop writes large broadcasts' notices
        await worker.drain()
        async with sessions() as s:
            waiting = await s.scalar(
                select(Notice.id)
                .where(Notice.status.in_([NoticeStatus.QUEUED, NoticeStatus.SENDING]))
                .limit(1)
            )
        if waiting is None:
            return
        clock.set(clock.now() + timedelta(hours=1))
    raise AssertionError("the outbox never settled")


async def test_a_thousand_invitations_all_accounted_for_at_the_configured_pace(
    api: Api,
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    twilio: TimedTwilio,
    bot_api: FakeBotApi,
) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    await invitees(sessions, env)
    set_up = loop.time()
    sms_dead = {phone_for(i) for i in range(2, 200, 10)}  # 20 numbers Twilio rejects for good
    for phone in sms_dead:
        twilio.by_number[phone] = Answer(400, 21211)
    blocked = {str(700_000 + i) for i in range(5, 100, 20)}  # 5 chats that blocked the bot
    bot_api.blocked |= blocked
    # Transient trouble early in the run: 500s and a few 429s on both sides.
    twilio.script(
        *[
            Answer(429, 20429) if k % 40 == 0 else Answer(500) if k % 7 == 0 else Answer(201)
            for k in range(1, 301)
        ]
    )
    bot_api.scripted.extend(
        429 if k % 50 == 0 else 500 if k % 9 == 0 else 200 for k in range(1, 151)
    )

    r = await api.post(
        Role.COMMISSION_SECRETARY, "/staff/broadcasts", {"hearing_date": str(HEARING_DAY)}
    )
    assert r.status_code == 201, r.text
    broadcast = r.json()
    assert broadcast["total"] == N
    assert broadcast["counts"]["queued"] == N

    api_server = TelegramAPIServer.from_base(bot_api.base_url)
    bot = Bot("123456:TEST", session=AiohttpSession(api=api_server))
    providers = {
        NoticeChannel.SMS: TimedTwilioProvider.from_settings(runtime.settings),
        NoticeChannel.CHAT: TimedTelegramProvider(bot, rate=TG_RATE, per_chat=TG_PER_CHAT),
    }
    sms_started: list[float] = []
    tg_started: list[tuple[float, str]] = []
    providers[NoticeChannel.SMS].started = sms_started  # type: ignore[attr-defined]
    providers[NoticeChannel.CHAT].started = tg_started  # type: ignore[attr-defined]
    worker = Worker(
        sessions,
        env,
        providers,
        config=WorkerConfig(concurrency=20, backoff_base=0.01, max_attempts=8),
    )
    try:
        await run_until_settled(worker, sessions, clock)
        await deliver_receipts(api, twilio, runtime.settings.twilio_auth_token.get_secret_value())  # type: ignore[union-attr]
        counts = (
            await api.get(Role.COMMISSION_SECRETARY, f"/staff/broadcasts/{broadcast['id']}")
        ).json()["counts"]
        failed = len(sms_dead) + len(blocked)
        assert counts == {
            "queued": 0,
            "sent": 0,
            "delivered": N - failed,
            "failed": failed,
            "printed": 0,
            "total": N,
        }

        # Resend to the failed only: the delivered are not bothered again.
        tg_before, sms_before = len(bot_api.requests), len(twilio.requests)
        r = await api.post(Role.COMMISSION_SECRETARY, f"/staff/broadcasts/{broadcast['id']}/resend")
        assert r.json()["resent"] == failed
        await run_until_settled(worker, sessions, clock)
        assert len(twilio.requests) - sms_before == len(sms_dead)
        assert len(bot_api.requests) - tg_before == len(blocked)
    finally:
        for provider in providers.values():
            await provider.close()

    async with sessions() as s:
        rows = (await s.scalars(select(Notice).where(Notice.broadcast_id == broadcast["id"]))).all()
    # The bot filers have no registered phone: a printed copy waits for each besides the chat.
    assert len(rows) == N + N // CHAT_EVERY and len({n.application_id for n in rows}) == N
    for n in rows:
        if n.status is NoticeStatus.DELIVERED:
            continue
        # Not delivered only after a permanent failure, and then waiting to be printed.
        assert n.status is NoticeStatus.TO_PRINT and n.channel is NoticeChannel.PRINT
        assert n.failed_channel in (NoticeChannel.SMS, NoticeChannel.CHAT, None)
    assert sum(n.failed_channel is not None for n in rows) == failed
    assert sum(n.status is NoticeStatus.DELIVERED for n in rows) == N - failed
    # Each delivered once: 429s and 500s were retried, never sent twice.
    assert sum(bot_api.delivered.values()) == N // CHAT_EVERY - len(blocked)

    # Pacing: never above the configured rates in any one-second window, measured where each
    # send starts, and never twice in one second to the same chat.
    tg_times = [t for t, _ in tg_started]
    per_chat: dict[str, list[float]] = defaultdict(list)
    for t, chat in tg_started:
        per_chat[chat].append(t)
    gaps = [b - a for times in per_chat.values() for a, b in pairwise(times)]
    print(
        f"\nset-up {set_up - began:.1f} s, broadcast {loop.time() - set_up:.1f} s; "
        "max in any 1 s: "
        f"SMS {max_in_window(sms_started)} started, {max_in_window(twilio.arrivals)} arrived "
        f"(rate {SMS_RATE:g}); Telegram {max_in_window(tg_times)} started, "
        f"{max_in_window([t for t, _, _ in bot_api.requests])} arrived (rate {TG_RATE:g}); "
        f"closest two to one chat {min(gaps):.3f} s apart"
    )
    assert len(sms_started) == len(twilio.requests) and len(tg_started) == len(bot_api.requests)
    assert max_in_window(sms_started) <= SMS_RATE
    assert max_in_window(tg_times) <= TG_RATE
    assert gaps and min(gaps) >= 1.0 / TG_PER_CHAT
    retried = [t for t, _, status in bot_api.requests if status in (429, 500)]
    assert retried, "the fake Bot API did answer with errors"
