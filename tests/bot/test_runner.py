"""`komek serve` runs the bot: long polling with a token, a secret-checked webhook with a URL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from bot.runner import WEBHOOK_PATH, TelegramService
from casework.system.runtime import Runtime
from gateway.app import create_app
from tests.bot.telegram import TOKEN, FakeTelegram

START = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1_790_000_000,
        "chat": {"id": 4242, "type": "private"},
        "from": {"id": 4242, "is_bot": False, "first_name": "Әлия", "language_code": "kk"},
        "text": "/start",
    },
}


def _with(runtime: Runtime, **settings: object) -> Runtime:
    return Runtime(
        settings=runtime.settings.model_copy(update=settings),
        engine=runtime.engine,
        sessions=runtime.sessions,
        district=runtime.district,
        clock=runtime.clock,
    )


async def test_long_polling_answers_updates(runtime: Runtime, telegram: FakeTelegram) -> None:
    service = TelegramService.from_runtime(
        _with(runtime, bot_token=SecretStr(TOKEN)), session=telegram
    )
    assert service is not None and not service.webhook_mode
    telegram.pending_updates.append(START)
    await service.start()
    try:
        for _ in range(200):
            if telegram.texts(4242):
                break
            await asyncio.sleep(0.02)
    finally:
        await service.stop()
    assert telegram.texts(4242) == ["Тілді таңдаңыз / Выберите язык"]


async def test_no_token_means_no_bot(runtime: Runtime) -> None:
    assert TelegramService.from_runtime(_with(runtime, bot_token=None)) is None


async def test_webhook_checks_telegrams_secret_token(
    runtime: Runtime, telegram: FakeTelegram
) -> None:
    rt = _with(
        runtime,
        bot_token=SecretStr(TOKEN),
        telegram_webhook_secret=SecretStr("s3cret-from-setWebhook"),
        public_url="https://komek.example.kz",
    )
    service = TelegramService.from_runtime(rt, session=telegram)
    assert service is not None and service.webhook_mode
    await service.start()
    registered = telegram.calls[-1]
    assert registered.__api_method__ == "setWebhook"
    assert registered.url == f"https://komek.example.kz{WEBHOOK_PATH}"
    assert registered.secret_token == "s3cret-from-setWebhook"

    app = create_app(runtime=rt)
    app.state.telegram = service
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        missing = await client.post(WEBHOOK_PATH, json=START)
        wrong = await client.post(
            WEBHOOK_PATH, json=START, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        assert (missing.status_code, wrong.status_code) == (403, 403)
        assert telegram.texts(4242) == []  # nothing reached the bot
        ok = await client.post(
            WEBHOOK_PATH,
            json=START,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-from-setWebhook"},
        )
    assert ok.status_code == 200
    assert telegram.texts(4242) == ["Тілді таңдаңыз / Выберите язык"]
    await service.stop()


SECRET = "s3cret-from-setWebhook"


@pytest.fixture
async def webhook(runtime: Runtime, telegram: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    """The service in webhook mode, posted to as Telegram posts: with the secret header."""
    rt = _with(
        runtime,
        bot_token=SecretStr(TOKEN),
        telegram_webhook_secret=SecretStr(SECRET),
        public_url="https://komek.example.kz",
    )
    service = TelegramService.from_runtime(rt, session=telegram)
    assert service is not None
    app = create_app(runtime=rt)
    app.state.telegram = service
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    ) as client:
        yield client
    await service.stop()


async def test_a_webhook_post_that_is_not_an_update_is_refused_plainly(
    webhook: httpx.AsyncClient, telegram: FakeTelegram
) -> None:
    for body in (b"not json", b'{"update_id": "x"}', b"[1, 2]", b"\xff\xfe"):
        r = await webhook.post(WEBHOOK_PATH, content=body)
        assert r.status_code == 400, (body, r.text)
    assert telegram.texts(4242) == []


async def test_an_update_delivered_again_is_handled_once(
    webhook: httpx.AsyncClient, telegram: FakeTelegram
) -> None:
    first = await webhook.post(WEBHOOK_PATH, json=START)
    again = await webhook.post(WEBHOOK_PATH, json=START)
    at_once = await asyncio.gather(
        *(webhook.post(WEBHOOK_PATH, json={**START, "update_id": 2}) for _ in range(3))
    )
    assert [r.status_code for r in (first, again, *at_once)] == [200] * 5
    # /start twice in all: update 1 once, update 2 once.
    assert telegram.texts(4242) == ["Тілді таңдаңыз / Выберите язык"] * 2
