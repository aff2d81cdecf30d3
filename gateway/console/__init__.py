"""The staff console: server-rendered pages for the clerks who run every case, in kk and ru.

Mounted under /console; assets under /console/static come from this package (no CDN). The pages
call the same casework steps as the JSON API under /staff, which stays for integrations.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from casework.texts.i18n import DEFAULT_LOCALE, N_
from gateway.console import (
    actions,
    admin,
    auth,
    broadcasts,
    calendar,
    cases,
    hearings,
    holidays,
    intake,
    print_queue,
    queue,
)
from gateway.console.web import HERE, BadCsrf, NotAllowed, SignInNeeded, render, see_other
from gateway.staff.errors import validation_error_handler

router = APIRouter(prefix="/console", include_in_schema=False)
router.include_router(auth.router)
for pages in (
    queue,
    cases,
    actions,
    intake,
    hearings,
    broadcasts,
    print_queue,
    holidays,
    calendar,
    admin,
):
    router.include_router(pages.router)


@router.get("/", response_class=HTMLResponse)
async def home() -> Response:
    return see_other("/console/queue")


async def _sign_in_needed(request: Request, exc: Exception) -> Response:
    if request.headers.get("HX-Request"):  # htmx: load the sign-in page as a whole
        return Response(status_code=401, headers={"HX-Redirect": "/console/login"})
    return see_other("/console/login")


def _locale(request: Request) -> str:
    return getattr(request.state, "locale", DEFAULT_LOCALE)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    message = N_("Your role does not allow this. Ask the administrator if you need it.")
    return render(request, "error.html", _locale(request), 403, message=message)


async def _bad_csrf(request: Request, exc: Exception) -> Response:
    message = N_("This form is out of date. Open the page again and repeat.")
    return render(request, "error.html", _locale(request), 403, message=message)


async def _bad_address(request: Request, exc: Exception) -> Response:
    """A console address with a malformed part (/console/cases/abc): a sentence, not JSON; the
    API's answer stays as it is for every other path."""
    if not request.url.path.startswith("/console"):
        return await validation_error_handler(request, exc)
    message = N_("This address is not right. Open the page from the menu.")
    return render(request, "error.html", _locale(request), 404, message=message)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(BadCsrf, _bad_csrf)
    app.add_exception_handler(RequestValidationError, _bad_address)


__all__ = ["install"]
