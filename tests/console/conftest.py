"""The staff console over ASGI (forms, cookies, CSRF) and, for browser tests, served by uvicorn on
a free port and driven by Playwright in Debian's chromium (no browser download)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.steps.signin import set_password
from casework.steps.staff import add_staff
from casework.system.db import transaction
from casework.system.runtime import Runtime
from gateway.app import create_app
from tests.fakes.clock import FixedClock
from tests.staff.conftest import NAMES as API_NAMES

PASSWORD = "Көктем-2026-құпия"
NAMES = {**API_NAMES, Role.ACCOUNTANT: "Сәуле Қасымова"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "console"
CHROMIUM = os.environ.get("KOMEK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def clerks(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> dict[Role, str]:
    """One staff member per role, each with the console password PASSWORD; role -> name."""
    async with transaction(sessions) as session:
        for role, name in NAMES.items():
            staff, _ = await add_staff(session, name=name, role=role, now=clock.now())
            await set_password(session, staff, PASSWORD)
    return NAMES


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime.settings, runtime=runtime)


@dataclass
class Clerk:
    """A browser-less staff member: the cookie jar, the session's CSRF token, their pages."""

    http: httpx.AsyncClient
    csrf: str = ""

    async def get(self, url: str, **kw: object) -> httpx.Response:
        return await self.http.get(url, **kw)  # type: ignore[arg-type]

    async def post(
        self, url: str, data: dict[str, object] | None = None, **kw: object
    ) -> httpx.Response:
        """A form as the page would post it, with the CSRF token."""
        return await self.http.post(url, data={"csrf": self.csrf, **(data or {})}, **kw)  # type: ignore[arg-type]


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no CSRF field"
    return found.group(1)


SignIn = Callable[..., Awaitable[Clerk]]


@pytest.fixture
async def sign_in(app: FastAPI, clerks: dict[Role, str]) -> AsyncIterator[SignIn]:
    """`await sign_in(Role.X, locale="ru")`: a Clerk signed in through the real login form."""
    clients: list[httpx.AsyncClient] = []

    async def as_role(role: Role, *, locale: str = "kk") -> Clerk:
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://console.test"
        )
        clients.append(http)
        form = await http.get(f"/console/login?lang={locale}")
        r = await http.post(
            "/console/login",
            data={
                "name": clerks[role],
                "password": PASSWORD,
                "csrf": csrf_of(form.text),
                "lang": locale,
            },
        )
        assert r.status_code == 303, r.text
        clerk = Clerk(http, csrf_of((await http.get("/console/password")).text))
        await clerk.post("/console/language", {"lang": locale})  # each member keeps their own
        return clerk

    yield as_role
    for http in clients:
        await http.aclose()


# ------------------------------------------------------------------ a real browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def live_url(app: FastAPI) -> AsyncIterator[str]:
    """The app served by uvicorn on this test's event loop (the runtime's engine lives here)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@dataclass
class Browser:
    """A Playwright page in headless chromium that records every host it asks."""

    page: object
    base: str
    hosts: set[str] = field(default_factory=set)

    async def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _record(seen: Browser, url: str) -> None:
    # chrome:// and chrome-extension:// are the browser's own (its PDF viewer), not the network.
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ws", "wss"):
        seen.hosts.add(parts.netloc)


@pytest.fixture
async def browser(live_url: str) -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (.ci/run installs Debian's package)")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = await chromium.new_context(viewport={"width": 1366, "height": 768})
        page = await context.new_page()
        seen = Browser(page, live_url)
        page.on("request", lambda request: _record(seen, request.url))
        yield seen
        await chromium.close()
    # No request from the console goes to any host but the service (no CDN, no fonts, nothing).
    assert seen.hosts <= {urlsplit(live_url).netloc}, seen.hosts
