"""The FastAPI application: one process serving staff, webhooks and health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from casework.runtime import Runtime
from casework.settings import Settings, get_settings


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or await Runtime.start(settings)
        app.state.runtime = rt
        try:
            yield
        finally:
            if runtime is None:
                await rt.close()

    app = FastAPI(title="Komek", version="0.1.0", lifespan=lifespan)

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, str]:
        rt: Runtime = app.state.runtime
        return {"status": "ok", "district": rt.district.name.ru}

    return app
