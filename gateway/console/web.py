"""How a console page is made: the templates, the signed-in member, CSRF, and errors as sentences.

Every page is rendered on the server in the member's language (gettext, the same catalogs as the
bot); forms post back with the session's CSRF token; a domain error becomes a sentence on the
page, never a code or a stack trace.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from casework.law.roles import Action
from casework.steps import signin
from casework.tables.staff import Staff, StaffSession
from casework.texts.i18n import LOCALES, format_day, gettext
from gateway.staff.deps import RuntimeDep, SessionDep

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")

SESSION_COOKIE = "komek_console"
LOGIN_COOKIE = "komek_login"  # a CSRF token for the sign-in form, before there is a session
CSRF_HEADER = "X-CSRF-Token"  # htmx requests carry the token here (set in base.html)


class SignInNeeded(Exception):
    """No live session: the browser is sent to the sign-in page (gateway.console.install)."""


class NotAllowed(Exception):
    """The member's role may not do this: a 403 page that says so in their language."""

    def __init__(self, action: Action) -> None:
        self.action = action


class BadCsrf(Exception):
    """A form came without this session's token: refused (403), nothing is done."""


@dataclass
class Console:
    """The signed-in member on this request, with their language and the session's CSRF token."""

    request: Request
    staff: Staff
    session_row: StaffSession

    @property
    def locale(self) -> str:
        return self.staff.locale if self.staff.locale in LOCALES else "kk"

    @property
    def csrf(self) -> str:
        return self.session_row.csrf

    def t(self, message: str, **params: object) -> str:
        return gettext(self.locale, message, **params)

    def may(self, action: Action | str) -> bool:
        return self.staff.may(Action(action))

    def may_any(self, actions: list[str]) -> bool:
        return any(self.may(a) for a in actions)

    def require(self, action: Action) -> None:
        if not self.staff.may(action):
            raise NotAllowed(action)

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, template, self.locale, status_code, console=self, **context)


def render(
    request: Request, template: str, locale: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    def t(message: str, **params: object) -> str:
        return gettext(locale, message, **params)

    return templates.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "locale": locale,
            "day": lambda d: format_day(d, locale) if d else "",
            **context,
        },
        status_code=status_code,
    )


async def current_console(request: Request, session: SessionDep, runtime: RuntimeDep) -> Console:
    key = request.cookies.get(SESSION_COOKIE)
    found = await signin.open_session(session, key, now=runtime.clock.now()) if key else None
    if found is None:
        raise SignInNeeded
    staff, row = found
    console = Console(request, staff, row)
    request.state.locale = console.locale  # for an error page drawn after the session ended
    return console


ConsoleDep = Annotated[Console, Depends(current_console)]


async def checked_form(request: Request, console: ConsoleDep) -> Console:
    """For every POST: the form (or htmx header) must carry this session's CSRF token."""
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or form.get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, console.csrf):
        raise BadCsrf
    return console


FormDep = Annotated[Console, Depends(checked_form)]


def csrf_field(console: Console) -> Markup:
    return Markup('<input type="hidden" name="csrf" value="{}">').format(console.csrf)


templates.env.globals["csrf_field"] = csrf_field


def see_other(url: str) -> Response:
    """After a form: the browser loads the page anew (POST/redirect/GET)."""
    return RedirectResponse(url, status_code=303)


def secure_cookies(request: Request) -> bool:
    return request.app.state.runtime.settings.environment != "development"
