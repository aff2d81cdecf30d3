"""The outbox end to end on the sandbox provider: channel choice, delivery, case effects."""

from __future__ import annotations

from datetime import date

from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.law.rules import Channel
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import calendar
from casework.system.db import transaction
from casework.system.env import CaseEnv
from gateway.providers.base import (
    ERROR_CODE_LENGTH,
    ERROR_MESSAGE_LENGTH,
    Outcome,
    Outgoing,
    SendResult,
)
from gateway.providers.sandbox import (
    DELIVERED_NUMBER,
    PERMANENT_FAILURE_NUMBER,
    TEMPORARY_FAILURE_NUMBER,
    SandboxProvider,
)
from gateway.worker import Worker, WorkerConfig
from tests.gateway.conftest import Cases


def _worker(case_builder: Cases, env: CaseEnv, **cfg: object) -> tuple[Worker, SandboxProvider]:
    sms = SandboxProvider()
    chat = SandboxProvider(channel=NoticeChannel.CHAT)
    worker = Worker(
        case_builder.sessions,
        env,
        {NoticeChannel.SMS: sms, NoticeChannel.CHAT: chat},
        config=WorkerConfig(**cfg),  # type: ignore[arg-type]
    )
    return worker, sms


async def test_channel_follows_the_law(case_builder: Cases) -> None:
    sms_app = await case_builder.registered(1, mcdb=True)
    bot_app = await case_builder.granted(2, mcdb=False, channel=Channel.BOT, telegram_id=5001)
    office_app = await case_builder.registered(3, mcdb=False)
    [sms] = await case_builder.notices(sms_app)
    # The decision goes to the chat, and on paper: no SMS can reach this applicant (SR §15).
    [receipt, chat, bot_paper] = await case_builder.notices(bot_app)
    # The bot showed its receipt at filing: recorded, not sent again (tests/gateway/test_channels).
    assert (receipt.channel_reason, receipt.status) == (
        ChannelReason.SHOWN_WHEN_FILED,
        NoticeStatus.DELIVERED,
    )
    [paper] = await case_builder.notices(office_app)
    assert (sms.channel, sms.channel_reason) == (NoticeChannel.SMS, ChannelReason.MCDB_REGISTERED)
    assert (chat.channel, chat.channel_reason) == (NoticeChannel.CHAT, ChannelReason.FILED_IN_BOT)
    assert chat.address == "5001"
    assert (paper.channel, paper.status) == (NoticeChannel.PRINT, NoticeStatus.TO_PRINT)
    assert paper.channel_reason is ChannelReason.NO_REGISTERED_PHONE
    assert (bot_paper.channel, bot_paper.channel_reason) == (
        NoticeChannel.PRINT,
        ChannelReason.NO_REGISTERED_PHONE,
    )


async def test_a_phone_registered_to_someone_else_is_not_used(case_builder: Cases) -> None:
    await case_builder.registered(1, mcdb=True)  # +7701…01 belongs to applicant 1
    other = await case_builder.registered(2, mcdb=False, phone="+77010000001")
    [notice] = await case_builder.notices(other)
    assert notice.channel is NoticeChannel.PRINT


async def test_sandbox_delivers_and_the_decision_is_notified(
    case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.granted(1, phone=DELIVERED_NUMBER)
    worker, sms = _worker(case_builder, env)
    assert await worker.drain() == 2  # acceptance receipt and decision
    notices = await case_builder.notices(app_id)
    assert [n.status for n in notices] == [NoticeStatus.DELIVERED] * 2
    assert [n.kind for n in notices] == [NoticeKind.ACCEPTANCE_RECEIPT, NoticeKind.DECISION_GRANTED]
    assert all(n.segments and n.segments >= 1 for n in notices)
    assert (await case_builder.application(app_id)).status is Status.NOTIFIED_GRANTED
    assert len(sms.sent) == 2


async def test_sandbox_permanent_failure_goes_to_print(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.registered(1, phone=PERMANENT_FAILURE_NUMBER)
    worker, _ = _worker(case_builder, env)
    await worker.drain()
    [notice] = await case_builder.notices(app_id)
    assert notice.status is NoticeStatus.TO_PRINT
    assert (notice.channel, notice.failed_channel) == (NoticeChannel.PRINT, NoticeChannel.SMS)
    assert notice.channel_reason is ChannelReason.SMS_FAILED
    assert notice.error_code == "21211"


async def test_sandbox_temporary_failure_is_retried_then_printed(
    case_builder: Cases, env: CaseEnv, clock
) -> None:
    app_id = await case_builder.registered(1, phone=TEMPORARY_FAILURE_NUMBER)
    worker, _ = _worker(case_builder, env, max_attempts=3)
    first_try = clock.now()
    await worker.drain()
    [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.attempts) == (NoticeStatus.QUEUED, 1)
    assert notice.due_at > first_try  # backed off, not hammered
    for _ in range(2):
        clock.set(notice.due_at)
        await worker.drain()
        [notice] = await case_builder.notices(app_id)
    assert (notice.status, notice.attempts) == (NoticeStatus.TO_PRINT, 3)


async def test_an_overlong_error_code_never_breaks_the_batch(
    case_builder: Cases, env: CaseEnv
) -> None:
    """A provider's code longer than the column is cut to fit: on PostgreSQL an overlong value
    would fail the whole batch of results, and every notice in it would be sent again."""

    class Wordy(SandboxProvider):
        async def send(self, message: Outgoing) -> SendResult:
            return SendResult(
                Outcome.PERMANENT,
                error_code="SomeProviderSpecificFailureName",
                error_message="x" * 5000,
            )

    ok = await case_builder.registered(1)
    # A decision: a bot filing's receipt is shown at filing and never goes to the chat provider.
    wordy = await case_builder.granted(2, mcdb=False, channel=Channel.BOT, telegram_id=5002)
    worker = Worker(
        case_builder.sessions,
        env,
        {NoticeChannel.SMS: SandboxProvider(), NoticeChannel.CHAT: Wordy()},
    )
    await worker.drain()
    [sent] = await case_builder.notices(ok)
    assert sent.status is NoticeStatus.DELIVERED
    [failed] = [n for n in await case_builder.notices(wordy) if n.failed_channel]
    assert failed.status is NoticeStatus.TO_PRINT
    assert failed.error_code == "SomeProviderSpecificFailureName"[:ERROR_CODE_LENGTH]
    assert failed.error_message == "x" * ERROR_MESSAGE_LENGTH


async def test_a_day_off_staff_add_while_the_worker_runs_moves_the_objection_window(
    case_builder: Cases, env: CaseEnv
) -> None:
    """The worker counts the 2 working days from receipt on the calendar as it is now."""
    first = await case_builder.preliminary_refusal(1, phone=DELIVERED_NUMBER)
    worker, _ = _worker(case_builder, env)
    await worker.drain()  # received Monday 16 November: object until Wednesday the 18th
    assert (await case_builder.application(first)).deadline(Term.OBJECTION) == date(2026, 11, 18)

    # Staff make Tuesday the 17th a day off (an akimat decision) while the worker keeps running.
    async with transaction(case_builder.sessions) as s:
        await calendar.set_override(s, env, date(2026, 11, 17), working=False, note="akimat")
    second = await case_builder.preliminary_refusal(2, phone=DELIVERED_NUMBER)
    await worker.drain()
    assert (await case_builder.application(second)).deadline(Term.OBJECTION) == date(2026, 11, 19)
    # The open case already received moved with the calendar too.
    assert (await case_builder.application(first)).deadline(Term.OBJECTION) == date(2026, 11, 19)
