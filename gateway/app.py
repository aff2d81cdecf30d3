"""The FastAPI application: one process serving staff, webhooks and health."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from casework.system.runtime import Runtime
from casework.system.settings import Settings, get_settings, refuse_unready
from gateway import console, metrics
from gateway import staff as staff_api
from gateway import webhooks as twilio_webhooks
from gateway.worker import start_worker

log = logging.getLogger("komek")


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    worker: bool = True,
    migrate: bool = True,
    listen_url: str | None = None,
) -> FastAPI:
    """The service. `worker=False` when `komek worker` processes deliver apart (compose);
    `migrate=False` when `komek db upgrade` ran first; `listen_url` is announced once started."""
    settings = settings or (runtime.settings if runtime else get_settings())
    refuse_unready(settings, runtime.district if runtime else None)  # production: no stand-ins
    with_bot = settings.bot_token is not None
    if with_bot:
        # Deliberately lazy: aiogram and the dialogs load only when there is a bot to run.
        from bot.runner import telegram_lifespan, webhook_router

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or await Runtime.start(settings, migrate=migrate)
        app.state.runtime = rt
        # The delivery worker runs in-process unless the caller brought its own runtime (tests)
        # or asked for none (a deployment that runs `komek worker` apart).
        delivery = await start_worker(rt) if runtime is None and worker else None
        try:
            bot = telegram_lifespan(app, rt) if with_bot else contextlib.nullcontext()
            async with bot:
                # What start-up loaded (the worker's too) stays for the process's life: out of
                # the collector's sight, a full collection walks only what requests made (no
                # 100 ms stall in a page or a drain; benchmarks/bench_staff.py).
                gc.freeze()
                if listen_url:  # the one start-up line: where it is, and the staff side
                    log.info("listening on %s (staff console: %s/console/)", listen_url, listen_url)
                yield
        finally:
            if delivery is not None:
                await delivery.close()
            if runtime is None:
                await rt.close()

    app = FastAPI(title="Komek", version="0.1.0", lifespan=lifespan)
    if runtime is not None:  # usable without the lifespan too (ASGI test transports skip it)
        app.state.runtime = runtime
    metrics.install(app)
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
