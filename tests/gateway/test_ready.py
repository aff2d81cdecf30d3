"""`/ready`: the database answers and a delivery worker's heartbeat is recent; else 503 and why.
`/health` stays the cheap liveness answer whatever the worker does."""

from __future__ import annotations

from datetime import timedelta

import httpx

from casework.law.notices import NoticeChannel
from casework.system.db import make_engine, make_sessionmaker
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.system.settings import Settings
from gateway.app import create_app
from gateway.metrics import BEAT_FRESH_FOR
from gateway.providers.sandbox import SandboxProvider
from gateway.worker import Worker
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases


async def test_ready_follows_the_worker_heartbeat(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv, clock: FixedClock
) -> None:
    answer = await client.get("/ready")  # no token needed: the orchestrator has none
    assert answer.status_code == 503
    assert "no delivery worker" in answer.json()["reason"]
    assert (await client.get("/health")).status_code == 200

    worker = Worker(
        case_builder.sessions,
        env,
        {NoticeChannel.SMS: SandboxProvider(), NoticeChannel.CHAT: SandboxProvider()},
        clock=clock,
        name="worker-a",
    )
    await worker.renew()  # what the running worker does every 10 s: its heartbeat row
    answer = await client.get("/ready")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready"})

    # The worker dies: after three missed beats the service is no longer ready.
    clock.set(clock.now() + BEAT_FRESH_FOR + timedelta(seconds=1))
    answer = await client.get("/ready")
    assert answer.status_code == 503
    assert "heartbeat" in answer.json()["reason"]
    await worker.renew()
    assert (await client.get("/ready")).status_code == 200


async def test_not_ready_without_a_database(district: object) -> None:
    # A PostgreSQL server that is not there: nothing listens on port 1.
    engine = make_engine("postgresql+asyncpg://komek@127.0.0.1:1/komek")
    runtime = Runtime(
        settings=Settings(_env_file=None),
        engine=engine,
        sessions=make_sessionmaker(engine),
        district=district,  # type: ignore[arg-type]
    )
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        answer = await c.get("/ready")
    await engine.dispose()
    assert answer.status_code == 503
    assert answer.json()["reason"].startswith("database:")
