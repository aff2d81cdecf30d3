"""The FastAPI application: one process serving staff, webhooks and health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.runner import telegram_lifespan
from bot.runner import webhook_router as telegram_webhook_router
from casework.runtime import Runtime
from casework.settings import Settings, get_settings
from gateway import staff as staff_api
from gateway import webhooks as twilio_webhooks
from gateway.worker import start_worker


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or await Runtime.start(settings)
        app.state.runtime = rt
        # The delivery worker runs in-process unless the caller brought its own runtime (tests,
        # or a deployment that runs `komek worker` apart).
        delivery = await start_worker(rt) if runtime is None else None
        try:
            async with telegram_lifespan(app, rt):  # the bot, when KOMEK_BOT_TOKEN is set
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
    app.include_router(twilio_webhooks.router)
    app.include_router(telegram_webhook_router)

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, str]:
        rt: Runtime = app.state.runtime
        return {"status": "ok", "district": rt.district.name.ru}

    return app
