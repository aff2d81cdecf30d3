"""The FastAPI application: one process serving staff, webhooks and health."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from casework.system.runtime import Runtime
from casework.system.settings import Settings, get_settings, refuse_unready
from gateway import console
from gateway import staff as staff_api
from gateway import webhooks as twilio_webhooks
from gateway.worker import start_worker


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())
    refuse_unready(settings, runtime.district if runtime else None)  # production: no stand-ins
    with_bot = settings.bot_token is not None
    if with_bot:
        # Deliberately lazy: aiogram and the dialogs load only when there is a bot to run.
        from bot.runner import telegram_lifespan, webhook_router

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or await Runtime.start(settings)
        app.state.runtime = rt
        # The delivery worker runs in-process unless the caller brought its own runtime (tests,
        # or a deployment that runs `komek worker` apart).
        delivery = await start_worker(rt) if runtime is None else None
        try:
            bot = telegram_lifespan(app, rt) if with_bot else contextlib.nullcontext()
            async with bot:
                yield
        finally:
            if delivery is not None:
                await delivery.close()
            if runtime is None:
                await rt.close()

    app = FastAPI(title="Komek", version="0.1.0", lifespan=lifespan)
    if runtime is not None:  # usable without the lifespan too (ASGI test transports skip it)
        app.state.runtime = runtime
    staff_api.install(app)
    console.install(app)
    app.include_router(twilio_webhooks.router)
    if with_bot:
        app.include_router(webhook_router)

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, str]:
        rt: Runtime = app.state.runtime
        return {"status": "ok", "district": rt.district.name.ru}

    return app
