"""Signing in to the console as a clerk would: the password, the lockout, the session's life,
CSRF on every form, and one's own password and language."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.steps import signin
from casework.system.db import transaction
from tests.console.conftest import NAMES, PASSWORD, SignIn, csrf_of
from tests.fakes.clock import FixedClock


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")


async def _try(
    http: httpx.AsyncClient, name: str, password: str, lang: str = "ru"
) -> httpx.Response:
    form = await http.get(f"/console/login?lang={lang}")
    return await http.post(
        "/console/login",
        data={"name": name, "password": password, "csrf": csrf_of(form.text), "lang": lang},
    )


async def test_a_clerk_signs_in_with_name_and_password_and_gets_a_guarded_cookie(
    app: FastAPI, clerks: dict[Role, str]
) -> None:
    async with _client(app) as http:
        assert (await http.get("/console/password")).headers["location"] == "/console/login"
        r = await _try(http, NAMES[Role.INTAKE_OFFICE], PASSWORD)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
        page = await http.get("/console/password")
        assert page.status_code == 200 and NAMES[Role.INTAKE_OFFICE] in page.text


async def test_wrong_passwords_are_answered_in_the_clerks_language_then_lock_the_account(
    app: FastAPI, clerks: dict[Role, str], clock: FixedClock
) -> None:
    name = NAMES[Role.COMMISSION_SECRETARY]
    async with _client(app) as http:
        r = await _try(http, name, "not-the-password", lang="ru")
        assert r.status_code == 401 and "Неверное имя или пароль." in r.text
        r = await _try(http, "Нет такого", PASSWORD, lang="kk")
        assert r.status_code == 401 and "Аты немесе құпиясөзі қате." in r.text
        for _ in range(signin.LOCK_AFTER - 1):
            r = await _try(http, name, "still-wrong-1")
        assert r.status_code == 429 and "Слишком много неверных паролей" in r.text
        # Locked: even the right password waits out the quarter of an hour.
        assert (await _try(http, name, PASSWORD)).status_code == 429
        clock.set(clock.now() + signin.LOCK_FOR + timedelta(seconds=1))
        assert (await _try(http, name, PASSWORD)).status_code == 303


async def test_repeated_wrong_passwords_are_answered_more_slowly(
    sessions: async_sessionmaker[AsyncSession], clerks: dict[Role, str], clock: FixedClock
) -> None:
    delays = []
    for _ in range(signin.LOCK_AFTER - 1):
        async with transaction(sessions) as session:
            attempt = await signin.sign_in(
                session, NAMES[Role.DECISION_MAKER], "wrong-password", now=clock.now()
            )
        delays.append(attempt.delay.total_seconds())
    assert delays[0] == 0 and delays[-1] > delays[-2] > 0


async def test_a_session_ends_on_sign_out_and_after_idle_time(
    sign_in: SignIn, clock: FixedClock
) -> None:
    clerk = await sign_in(Role.INTAKE_OFFICE)
    clock.set(clock.now() + signin.IDLE_TIMEOUT - timedelta(minutes=1))
    assert (await clerk.get("/console/password")).status_code == 200  # use keeps it alive
    clock.set(clock.now() + signin.IDLE_TIMEOUT + timedelta(minutes=1))
    assert (await clerk.get("/console/password")).headers["location"] == "/console/login"

    clerk = await sign_in(Role.INTAKE_OFFICE)
    cookie = clerk.http.cookies.get("komek_console", path="/console")
    assert (await clerk.post("/console/logout")).headers["location"] == "/console/login"
    clerk.http.cookies.set("komek_console", cookie, path="/console")  # the old cookie, kept
    assert (await clerk.get("/console/password")).headers["location"] == "/console/login"


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    sign_in: SignIn,
) -> None:
    clerk = await sign_in(Role.INTAKE_OFFICE, locale="ru")
    r = await clerk.http.post("/console/language", data={"lang": "kk"})
    assert r.status_code == 403 and "Эта форма устарела" in r.text
    r = await clerk.http.post("/console/language", data={"lang": "kk", "csrf": "forged"})
    assert r.status_code == 403
    assert "Смена пароля" in (await clerk.get("/console/password")).text  # still Russian


async def test_a_clerk_changes_their_own_password(sign_in: SignIn, app: FastAPI) -> None:
    clerk = await sign_in(Role.DECISION_MAKER, locale="kk")
    new = "Жаңа-құпиясөз-2027"
    r = await clerk.post("/console/password", {"current": "wrong", "new": new, "repeat": new})
    assert r.status_code == 422 and "Қазіргі құпиясөз қате." in r.text
    r = await clerk.post(
        "/console/password", {"current": PASSWORD, "new": "short", "repeat": "short"}
    )
    assert r.status_code == 422 and "кемінде 10 таңба" in r.text
    r = await clerk.post("/console/password", {"current": PASSWORD, "new": new, "repeat": new})
    assert r.status_code == 200 and "Құпиясөзіңіз өзгертілді" in r.text
    async with _client(app) as http:
        assert (await _try(http, NAMES[Role.DECISION_MAKER], PASSWORD)).status_code == 401
        assert (await _try(http, NAMES[Role.DECISION_MAKER], new)).status_code == 303


async def test_a_malformed_console_address_is_a_sentence_not_json(sign_in: SignIn) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    r = await clerk.get("/console/broadcasts/abc")
    assert r.status_code == 404 and "Неверный адрес страницы" in r.text
