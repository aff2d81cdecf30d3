"""Chat delivery through aiogram: the bot's buttons, flood control honoured, blocks printed."""

from __future__ import annotations

from aiogram import Bot

from casework.law.notices import NoticeChannel, NoticeStatus
from casework.law.rules import Channel
from casework.law.status import Status
from casework.steps.delivery import hand_over, print_queue
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from gateway.providers.telegram import TelegramProvider
from gateway.worker import Worker
from tests.fakes.clock import FixedClock
from tests.fakes.telegram_session import FakeTelegramSession
from tests.gateway.conftest import Cases

TOKEN = "42:TEST"


def _statuses(notices: list[Notice]) -> dict[NoticeChannel, set[NoticeStatus]]:
    by_channel: dict[NoticeChannel, set[NoticeStatus]] = {}
    for n in notices:
        by_channel.setdefault(n.channel, set()).add(n.status)
    return by_channel


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
    assert _statuses(await case_builder.notices(app_id)) == {
        NoticeChannel.CHAT: {NoticeStatus.DELIVERED},
        # No registered phone: a printed copy waits for the applicant as well (SR §15).
        NoticeChannel.PRINT: {NoticeStatus.TO_PRINT},
    }


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
    statuses = _statuses(await case_builder.notices(app_id))
    assert statuses[NoticeChannel.CHAT] == {NoticeStatus.DELIVERED}
    assert (await case_builder.application(app_id)).status is Status.NOTIFIED_GRANTED


async def test_a_blocked_bot_falls_back_to_print(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.granted(1, mcdb=False, channel=Channel.BOT, telegram_id=777)
    worker, tg = chat_worker(case_builder, env)
    tg.blocked()
    await worker.drain()
    notices = await case_builder.notices(app_id)
    [notice] = [n for n in notices if n.failed_channel]  # the decision; the receipt was shown
    assert (notice.status, notice.failed_channel) == (NoticeStatus.TO_PRINT, NoticeChannel.CHAT)
    assert notice.error_code == "forbidden"
    # It joins the copy already printed for want of a registered phone: one sheet, handed once.
    async with case_builder.sessions() as s:
        assert [n.kind for n in await print_queue(s) if n.application_id == app_id] == [notice.kind]
    async with transaction(case_builder.sessions) as s:
        await hand_over(s, env, notice.id, actor="clerk")
    notices = await case_builder.notices(app_id)
    assert {n.status for n in notices if n.kind is notice.kind} == {NoticeStatus.HANDED_OVER}
