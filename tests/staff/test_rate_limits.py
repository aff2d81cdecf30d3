"""Per-token rate limits on the staff API: 429 with Retry-After once a staff member's bucket is
empty, refilled with time, one bucket per staff member; shared through Redis when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from casework.law.roles import Role
from casework.system.runtime import Runtime
from gateway.app import create_app
from gateway.staff.rate_limits import RateSettings, RedisBuckets, TokenBuckets, make_limiter

R = Role
REDIS_URL = os.environ.get("KOMEK_TEST_REDIS_URL")


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
async def limited(
    runtime: Runtime, ticks: Ticks
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(runtime=runtime)
    # 60 a minute is one a second; three at once.
    app.state.staff_limiter = TokenBuckets(per_minute=60, burst=3, clock=ticks)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://komek.test") as http:
        yield app, http


def bearer(tokens: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


async def test_over_the_limit_is_429_with_retry_after_until_the_bucket_refills(
    limited: tuple[FastAPI, httpx.AsyncClient], tokens: dict[Role, str], ticks: Ticks
) -> None:
    _, http = limited
    me = bearer(tokens, R.COMMISSION_SECRETARY)
    codes = [(await http.get("/staff/deadlines", headers=me)).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = await http.get("/staff/applications", headers=me)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert r.json() == {
        "code": "too_many_requests",
        "message": "too many requests: retry after 1 s",
        "params": {"retry_after": 1},
    }
    # Another staff member has a bucket of their own.
    assert (await http.get("/staff/deadlines", headers=bearer(tokens, R.INTAKE_OFFICE))).is_success
    # No token, or a wrong one: 401 as ever (a bucket is per staff member, so none is spent).
    assert (await http.get("/staff/deadlines")).status_code == 401
    ticks.now += 0.5
    r = await http.get("/staff/deadlines", headers=me)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "1")
    ticks.now += 0.5
    assert (await http.get("/staff/deadlines", headers=me)).status_code == 200
    assert (await http.get("/staff/deadlines", headers=me)).status_code == 429


async def test_a_refused_request_changes_nothing(
    limited: tuple[FastAPI, httpx.AsyncClient], tokens: dict[Role, str], ticks: Ticks
) -> None:
    _, http = limited
    admin = bearer(tokens, R.ADMINISTRATOR)
    for _ in range(3):
        await http.get("/staff/members/me", headers=admin)
    r = await http.put(
        "/staff/calendar/overrides/2026-11-20", json={"working": False}, headers=admin
    )
    assert r.status_code == 429
    ticks.now += 60
    overrides = (await http.get("/staff/calendar/overrides", headers=admin)).json()
    assert overrides == []


class Empty:
    """A limiter whose buckets are always empty."""

    async def take(self, key: str) -> float:
        return 30.0


def _example(parameter: dict) -> str:  # type: ignore[type-arg]
    schema = parameter["schema"]
    return "2026-11-20" if schema.get("format") == "date" else "1"


async def test_every_staff_endpoint_is_limited(runtime: Runtime, tokens: dict[Role, str]) -> None:
    """Every operation under /staff, as the OpenAPI document lists them, answers 429 when the
    caller's bucket is empty: the bucket is taken where the staff member is resolved."""
    app = create_app(runtime=runtime)
    app.state.staff_limiter = Empty()
    calls = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/staff"):
                for p in operation.get("parameters", []):
                    if p["in"] == "path":
                        path = path.replace("{" + p["name"] + "}", _example(p))
                calls.append((method.upper(), path))
    assert len(calls) > 30
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://komek.test") as http:
        for role in (R.ADMINISTRATOR, R.INTAKE_AKIM):
            for method, url in calls:
                r = await http.request(method, url, headers=bearer(tokens, role))
                assert (r.status_code, r.headers.get("Retry-After")) == (429, "30"), (url, r.text)


async def test_the_bucket_refills_at_the_rate_and_never_above_the_burst() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(per_minute=120, burst=2, clock=ticks)  # two a second
    assert [await buckets.take("7") for _ in range(2)] == [0.0, 0.0]
    assert await buckets.take("7") == pytest.approx(0.5)
    ticks.now += 3600  # an idle hour leaves a full bucket, not 7,200 requests
    assert [await buckets.take("7") for _ in range(2)] == [0.0, 0.0]
    assert await buckets.take("7") > 0


async def test_the_limits_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, runtime: Runtime, tokens: dict[Role, str]
) -> None:
    monkeypatch.setenv("KOMEK_STAFF_RATE_PER_MINUTE", "30")
    monkeypatch.setenv("KOMEK_STAFF_RATE_BURST", "1")
    assert RateSettings(_env_file=None) == RateSettings(rate_per_minute=30, rate_burst=1)  # type: ignore[call-arg]
    app = create_app(runtime=runtime)  # no limiter set: made from the settings on first use
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://komek.test") as http:
        me = bearer(tokens, R.DECISION_MAKER)
        assert (await http.get("/staff/members/me", headers=me)).status_code == 200
        r = await http.get("/staff/members/me", headers=me)
        assert (r.status_code, r.headers["Retry-After"]) == (429, "2")
    assert isinstance(app.state.staff_limiter, TokenBuckets)
    assert isinstance(make_limiter("redis://127.0.0.1:1/0"), RedisBuckets)


async def test_without_redis_each_process_still_limits() -> None:
    """Redis down: the replica falls back to its own bucket, neither refusing nor unlimited."""
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    buckets = RedisBuckets(unreachable, per_minute=60, burst=2, prefix="komek-test:")
    assert [await buckets.take("1") for _ in range(2)] == [0.0, 0.0]
    assert await buckets.take("1") > 0
    await unreachable.aclose()


@pytest.mark.skipif(not REDIS_URL, reason="KOMEK_TEST_REDIS_URL is not set")
async def test_replicas_share_one_bucket_in_redis() -> None:
    assert REDIS_URL is not None
    prefix = f"komek-test:{uuid.uuid4().hex}:"
    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    try:
        one = RedisBuckets(first, per_minute=1, burst=2, prefix=prefix)
        other = RedisBuckets(second, per_minute=1, burst=2, prefix=prefix)
        assert [await one.take("5"), await other.take("5")] == [0.0, 0.0]
        wait = await one.take("5")
        assert 55 < wait <= 60  # one a minute: about a minute until the next
        assert await other.take("6") == 0.0  # another staff member's bucket
        assert 0 < await first.ttl(prefix + "5") <= 121
    finally:
        await first.delete(prefix + "5", prefix + "6")
        await first.aclose()
        await second.aclose()
