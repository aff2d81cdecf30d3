"""Conversations survive restarts: the same place after a rebuild, stale buttons lead back."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from aiogram import Bot
from sqlalchemy import delete, select

from bot.factory import create_dispatcher
from casework.law.rules import Filer, Ground
from casework.system.runtime import Runtime
from casework.tables.applications import Application
from casework.tables.conversations import Conversation
from casework.texts.labels import label
from tests.bot.flows import identify, t
from tests.bot.telegram import FakeTelegram, Phone

SETTLEMENT_QUESTION = "Which village or town of the district do you live in? Write its name."


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_filing_resumes_after_the_dispatcher_is_rebuilt_on_the_same_database(
    phone, runtime: Runtime, bot: Bot, telegram: FakeTelegram, sessions, clock, locale: str
) -> None:
    p = phone()
    await identify(p, locale)
    await p.tap(t(locale, "📝 File an application"))
    await p.tap(label(Filer.SELF, locale))

    # A deploy: a new dispatcher and storage objects, the same database.
    p = Phone(create_dispatcher(runtime), bot, telegram, user_id=p.user.id)
    await p.tap(label(Ground.DISEASE, locale))  # the button shown before the restart still works
    assert p.text == t(locale, SETTLEMENT_QUESTION)

    # Days later, another restart: the applicant just writes the answer to the open question.
    clock.set(clock.now() + timedelta(days=3))
    p = Phone(create_dispatcher(runtime), bot, telegram, user_id=p.user.id)
    await p.send("Құлан")
    assert p.text == t(locale, "Write your street and house number.")
    # /start after yet another restart shows the same question, in the chosen language.
    p = Phone(create_dispatcher(runtime), bot, telegram, user_id=p.user.id)
    await p.send("/start")
    assert p.text == t(locale, "Write your street and house number.")

    async with sessions() as session:
        app = await session.scalar(select(Application))
    assert (app.filer, app.ground, app.settlement) == (Filer.SELF, Ground.DISEASE, "Құлан")
    assert app.draft == {"filer": "self", "ground": "disease", "settlement": "Құлан"}


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_stale_button_after_a_restart_brings_the_applicant_back_to_their_place(
    phone, runtime: Runtime, bot: Bot, telegram: FakeTelegram, sessions, locale: str
) -> None:
    p = phone()
    await identify(p, locale)
    await p.tap(t(locale, "📝 File an application"))
    filer_screen = p.snapshot()
    await p.tap(label(Filer.FAMILY, locale))
    ground_screen = p.snapshot()

    # A deploy that lost the conversation store (say, a new Redis): only the draft remains.
    async with sessions() as session, session.begin():
        await session.execute(delete(Conversation))
    p = Phone(create_dispatcher(runtime), bot, telegram, user_id=p.user.id)
    stale = t(locale, "That button is from an older screen. Here is where you are now.")

    await p.tap(label(Ground.FIRE, locale), on=ground_screen)
    assert telegram.alerts[-1] == stale
    assert p.text == t(locale, "Why do you need assistance? Choose one.")  # back in place
    # A button from an even older screen: the same place, not an error, no answer changed.
    await p.tap(label(Filer.SELF, locale), on=filer_screen)
    assert telegram.alerts[-1] == stale
    assert p.text == t(locale, "Why do you need assistance? Choose one.")
    async with sessions() as session:
        app = await session.scalar(select(Application))
    assert (app.filer, app.ground) == (Filer.FAMILY, None)
    # And the buttons on the screen now work.
    await p.tap(label(Ground.FIRE, locale))
    assert p.text == t(locale, SETTLEMENT_QUESTION)


REDIS_URL = os.environ.get("KOMEK_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="KOMEK_TEST_REDIS_URL is not set")
async def test_redis_storage_keeps_the_place_across_restarts(
    runtime: Runtime, bot: Bot, telegram: FakeTelegram
) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    redis_runtime = Runtime(
        settings=runtime.settings.model_copy(update={"redis_url": REDIS_URL}),
        engine=runtime.engine,
        sessions=runtime.sessions,
        district=runtime.district,
        clock=runtime.clock,
    )
    try:
        dp = create_dispatcher(redis_runtime)
        p = Phone(dp, bot, telegram)
        await identify(p, "ru")
        await p.tap(t("ru", "📝 File an application"))
        await p.tap(label(Filer.SELF, "ru"))
        await dp.storage.close()
        assert await redis.keys("fsm:*aiogd:stack*")  # the position is in Redis

        dp = create_dispatcher(redis_runtime)
        p = Phone(dp, bot, telegram, user_id=p.user.id)
        await p.tap(label(Ground.DISEASE, "ru"))
        assert p.text == t("ru", SETTLEMENT_QUESTION)
        await dp.storage.close()
    finally:
        await redis.flushdb()
        await redis.aclose()
