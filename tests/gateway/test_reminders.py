"""Reminders through the delivery worker: to the fake Telegram chat and the fake Twilio, never at
night, never printed, and found by the worker's own periodic pass."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from aiogram import Bot
from sqlalchemy import select

from casework.law.errors import NotFound
from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.rules import Channel, HearingMode, RefusalGround
from casework.steps import case_file, hearings
from casework.steps.delivery import get_notice, print_queue
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from casework.tables.reminders import SentReminder
from gateway.providers.telegram import TelegramProvider
from gateway.providers.twilio import TwilioProvider
from gateway.worker import Worker, WorkerConfig
from tests.builders import local, phone_for
from tests.fakes.clock import FixedClock
from tests.fakes.telegram_session import FakeTelegramSession
from tests.fakes.twilio_server import FakeTwilio
from tests.gateway.conftest import Cases


def workers(
    case_builder: Cases, env: CaseEnv, fake: FakeTwilio, **cfg: object
) -> tuple[Worker, FakeTelegramSession]:
    tg = FakeTelegramSession()
    providers = {
        NoticeChannel.CHAT: TelegramProvider(Bot("42:TEST", session=tg), per_chat=0),
        NoticeChannel.SMS: TwilioProvider(
            fake.account_sid,
            fake.auth_token,
            from_="+15005550006",
            api_base=fake.base_url,
            public_url="https://komek.example.kz",
            rate_per_second=0,
        ),
    }
    config = WorkerConfig(**cfg)  # type: ignore[arg-type]
    return Worker(case_builder.sessions, env, providers, config=config), tg


async def hearing_case(case_builder: Cases, clock: FixedClock, hearing: datetime) -> int:
    """A bot filing with an MCDB-registered phone, its hearing set on Monday 16 November."""
    clock.set(local(2026, 11, 16, 10))
    app_id = await case_builder.registered(1, channel=Channel.BOT, telegram_id=777)
    async with transaction(case_builder.sessions) as s:
        app = await case_file.load_application(s, app_id)
        await hearings.issue_preliminary_refusal(
            s,
            case_builder.env,
            app,
            grounds=[RefusalGround.ALREADY_ASSIGNED],
            scheduled_at=hearing,
            mode=HearingMode.VIDEOCONFERENCE,
            details="https://meet.example/kz",
            actor="test",
        )
    return app_id


async def reminders_of(case_builder: Cases, app_id: int) -> list[Notice]:
    return [n for n in await case_builder.notices(app_id) if n.kind is NoticeKind.REMINDER]


async def test_a_reminder_reaches_the_chat_and_the_phone(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await hearing_case(case_builder, clock, local(2026, 11, 18, 15))
    worker, tg = workers(case_builder, env, fake_twilio)
    try:
        await worker.drain()  # the preliminary refusal itself
        clock.set(local(2026, 11, 17, 10))  # Tuesday: the working day before the hearing
        assert await worker.remind() == 1
        await worker.drain()
    finally:
        for provider in worker.providers.values():
            await provider.close()
    chat = tg.sent[-1]
    assert chat["chat_id"] == 777 and "тыңдау ертең өтеді" in chat["text"]
    assert "https://meet.example/kz" in chat["text"]
    sms = fake_twilio.messages[-1]
    assert sms["to"] == phone_for(1) and "18.11.2026" in sms["body"] and "15:00" in sms["body"]
    statuses = {n.channel: n.status for n in await reminders_of(case_builder, app_id)}
    assert statuses == {
        NoticeChannel.CHAT: NoticeStatus.DELIVERED,
        NoticeChannel.SMS: NoticeStatus.SENT,
    }


async def test_a_reminder_left_in_the_queue_never_goes_at_night(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await hearing_case(case_builder, clock, local(2026, 11, 18, 15))
    worker, tg = workers(case_builder, env, fake_twilio)
    try:
        await worker.drain()
        before = len(tg.sent), len(fake_twilio.messages)
        clock.set(local(2026, 11, 17, 18, 20))
        await worker.remind()  # written ten minutes before closing; the worker is down...
        clock.set(local(2026, 11, 17, 23, 0))  # ...until late in the evening
        assert await worker.drain() == 0
        assert (len(tg.sent), len(fake_twilio.messages)) == before
        await worker.remind()
        clock.set(local(2026, 11, 18, 9, 0))
        await worker.drain()
    finally:
        for provider in worker.providers.values():
            await provider.close()
    assert (len(tg.sent), len(fake_twilio.messages)) == before
    rows = await reminders_of(case_builder, app_id)
    assert len(rows) == 2 and {n.status for n in rows} == {NoticeStatus.WITHDRAWN}


async def test_a_reminder_the_chat_refuses_is_never_printed(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    clock.set(local(2026, 11, 16, 10))
    app_id = await case_builder.registered(1, channel=Channel.BOT, telegram_id=777, mcdb=False)
    async with transaction(case_builder.sessions) as s:
        app = await case_file.load_application(s, app_id)
        await hearings.issue_preliminary_refusal(
            s,
            env,
            app,
            grounds=[RefusalGround.ALREADY_ASSIGNED],
            scheduled_at=local(2026, 11, 18, 15),
            mode=HearingMode.VIDEOCONFERENCE,
            details=None,
            actor="test",
        )
    worker, tg = workers(case_builder, env, fake_twilio)
    try:
        await worker.drain()
        clock.set(local(2026, 11, 17, 10))
        await worker.remind()
        tg.blocked()
        await worker.drain()
    finally:
        for provider in worker.providers.values():
            await provider.close()
    # No registered phone: the notices the law requires wait in the print queue; the reminder
    # went only to the chat, and is not among them after the chat refused it.
    [reminder] = await reminders_of(case_builder, app_id)
    assert (reminder.channel, reminder.failed_channel) == (NoticeChannel.PRINT, NoticeChannel.CHAT)
    async with case_builder.sessions() as s:
        queue = await print_queue(s)
        assert NoticeKind.REMINDER not in {n.kind for n in queue}
        assert NoticeKind.PRELIMINARY_REFUSAL in {n.kind for n in queue}
        with pytest.raises(NotFound):  # the print endpoints answer 404
            await get_notice(s, reminder.id)


async def test_the_running_worker_finds_reminders_by_itself(
    case_builder: Cases, env: CaseEnv, clock: FixedClock, fake_twilio: FakeTwilio
) -> None:
    app_id = await hearing_case(case_builder, clock, local(2026, 11, 18, 15))
    clock.set(local(2026, 11, 17, 10))
    worker, tg = workers(case_builder, env, fake_twilio, poll_interval=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(500):
            if any("тыңдау ертең өтеді" in m["text"] for m in tg.sent):
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await task
        for provider in worker.providers.values():
            await provider.close()
    assert any("тыңдау ертең өтеді" in m["text"] for m in tg.sent)
    async with case_builder.sessions() as s:
        [record] = (await s.scalars(select(SentReminder))).all()
    assert (record.application_id, record.messages) == (app_id, 2)
