"""Chat delivery through aiogram: the bot's buttons, flood control honoured, blocks printed."""

from __future__ import annotations

from aiogram import Bot

from casework.law.notices import NoticeChannel, NoticeStatus
from casework.law.rules import Channel
from casework.law.status import Status
from casework.system.env import CaseEnv
from gateway.providers.telegram import TelegramProvider
from gateway.worker import Worker
from tests.fakes.clock import FixedClock
from tests.fakes.telegram_session import FakeTelegramSession
from tests.gateway.conftest import Cases

TOKEN = "42:TEST"


def chat_worker(case_builder: Cases, env: CaseEnv) -> tuple[Worker, FakeTelegramSession]:
    session = FakeTelegramSession()
    provider = TelegramProvider(Bot(TOKEN, session=session), per_chat=0)
    return Worker(case_builder.sessions, env, {NoticeChannel.CHAT: provider}), session


async def test_preliminary_refusal_in_chat_has_the_bots_buttons(
    case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.preliminary_refusal(
        1, mcdb=False, channel=Channel.BOT, telegram_id=777
    )
    worker, tg = chat_worker(case_builder, env)
    await worker.drain()
    refusal = tg.sent[-1]
    assert refusal["chat_id"] == 777 and "алдын ала шешім" in refusal["text"]
    buttons = [b for row in refusal["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [
        f"notice:object:{app_id}",
        f"notice:attend:{app_id}",
    ]
    assert buttons[0]["text"] == "Қарсылық білдіру"
    app = await case_builder.application(app_id)
    assert app.hearings[-1].received_at == env.now()  # the objection window has started
    assert {n.status for n in await case_builder.notices(app_id)} == {NoticeStatus.DELIVERED}


async def test_retry_after_is_honoured(
    case_builder: Cases, env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await case_builder.granted(1, mcdb=False, channel=Channel.BOT, telegram_id=777)
    worker, tg = chat_worker(case_builder, env)
    tg.retry_after(30)
    await worker.drain()
    notices = await case_builder.notices(app_id)
    waiting = [n for n in notices if n.status is NoticeStatus.QUEUED]
    assert len(waiting) == 1 and (waiting[0].due_at - clock.now()).total_seconds() >= 30
    clock.set(waiting[0].due_at)
    await worker.drain()
    assert {n.status for n in await case_builder.notices(app_id)} == {NoticeStatus.DELIVERED}
    assert (await case_builder.application(app_id)).status is Status.NOTIFIED_GRANTED


async def test_a_blocked_bot_falls_back_to_print(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.granted(1, mcdb=False, channel=Channel.BOT, telegram_id=777)
    worker, tg = chat_worker(case_builder, env)
    tg.blocked()
    await worker.drain()
    notice = (await case_builder.notices(app_id))[-1]  # the decision; the receipt was shown
    assert (notice.status, notice.failed_channel) == (NoticeStatus.TO_PRINT, NoticeChannel.CHAT)
    assert notice.error_code == "forbidden"
