"""The bot on a real database and a fake Telegram: a runtime, a dispatcher, a phone."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from aiogram import Bot, Dispatcher

from bot.factory import create_bot, create_dispatcher
from casework.system.runtime import Runtime
from tests.bot.telegram import TOKEN, FakeTelegram, Phone


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def bot(telegram: FakeTelegram) -> Bot:
    return create_bot(TOKEN, session=telegram)


@pytest.fixture
def dispatcher(runtime: Runtime) -> Dispatcher:
    return create_dispatcher(runtime)


@pytest.fixture
def phone(dispatcher: Dispatcher, bot: Bot, telegram: FakeTelegram) -> Callable[..., Phone]:
    def make(**kwargs: object) -> Phone:
        return Phone(dispatcher, bot, telegram, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture(autouse=True)
def no_bot_failures(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A conversation that hit the catch-all error handler is a failed test, whatever it showed."""
    with caplog.at_level(logging.ERROR, logger="komek.bot"):
        yield
    failures = [r for r in caplog.records if r.name == "komek.bot" and r.levelno >= logging.ERROR]
    assert not failures, failures[0].exc_info
