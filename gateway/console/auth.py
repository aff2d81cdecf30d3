"""Signing in and out, the member's own password and language."""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from casework.steps import signin
from casework.texts.i18n import DEFAULT_LOCALE, LOCALES, day_and_time, gettext
from gateway.console.web import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    BadCsrf,
    ConsoleDep,
    FormDep,
    render,
    secure_cookies,
    see_other,
)
from gateway.staff.deps import RuntimeDep, SessionDep

router = APIRouter()
LANG_COOKIE = "komek_lang"


def _login_locale(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return lang if lang in LOCALES else DEFAULT_LOCALE


def _login_page(request: Request, locale: str, error: str | None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    page = render(request, "login.html", locale, status, login_csrf=token, error=error)
    page.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request)
    )
    return page


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return _login_page(request, _login_locale(request), None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    lang: Annotated[str, Form(max_length=2)] = DEFAULT_LOCALE,
) -> Response:
    locale = lang if lang in LOCALES else DEFAULT_LOCALE
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf, expected):
        raise BadCsrf
    attempt = await signin.sign_in(session, name, password, now=runtime.clock.now())
    if attempt.key is None:
        if attempt.delay:
            await asyncio.sleep(attempt.delay.total_seconds())
        if attempt.locked_until is not None:
            _, time = day_and_time(attempt.locked_until, runtime.district.zone)
            error = gettext(locale, "Too many wrong passwords. Try again after {time}.", time=time)
            return _login_page(request, locale, error, 429)
        error = gettext(locale, "Wrong name or password.")
        return _login_page(request, locale, error, 401)
    assert attempt.staff is not None
    attempt.staff.locale = locale  # the language chosen at the door is the member's own
    response = see_other("/console/")
    _remember_language(response, locale)
    response.set_cookie(
        SESSION_COOKIE,
        attempt.key,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/console",
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(console: FormDep, request: Request, session: SessionDep) -> Response:
    key = request.cookies.get(SESSION_COOKIE)
    if key:
        await signin.sign_out(session, key)
    response = see_other("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.post("/language")
async def language(console: FormDep, lang: Annotated[str, Form(max_length=2)]) -> Response:
    back = urlsplit(console.request.headers.get("referer") or "").path  # never another host
    response = see_other(back if back.startswith("/console/") else "/console/")
    if lang in LOCALES:
        console.staff.locale = lang
        _remember_language(response, lang)
    return response


def _remember_language(response: Response, lang: str) -> None:
    """The sign-in page opens in the language last used on this computer."""
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")


@router.get("/password", response_class=HTMLResponse)
async def password_form(console: ConsoleDep) -> Response:
    return console.page("password.html", done=False, error=None)


@router.post("/password", response_class=HTMLResponse)
async def change_password(
    console: FormDep,
    session: SessionDep,
    current: Annotated[str, Form(max_length=200)] = "",
    new: Annotated[str, Form(max_length=200)] = "",
    repeat: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if new != repeat:
        error = console.t("The two new passwords differ. Type the same password twice.")
        return console.page("password.html", 422, done=False, error=error)
    key = console.request.cookies.get(SESSION_COOKIE, "")
    try:
        changed = await signin.change_own_password(
            session, console.staff, current, new, keep_key=key
        )
    except signin.WeakPassword as exc:
        error = console.t(
            "The new password is too short: at least {minimum} characters.", **exc.params
        )
        return console.page("password.html", 422, done=False, error=error)
    if not changed:
        error = console.t("The current password is wrong.")
        return console.page("password.html", 422, done=False, error=error)
    return console.page("password.html", done=True, error=None)
