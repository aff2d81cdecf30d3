"""The staff casework API: every step of a case, the deadline board, broadcasts, holidays.

Mounted under /staff; every endpoint needs a bearer token (`komek staff add`) and a role that
may do the action (casework.law.roles.PERMISSIONS).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from gateway.staff import board, broadcasts, calendar, cases, holidays, members, print_queue
from gateway.staff.errors import install_error_handlers

router = APIRouter(prefix="/staff")
for module in (cases, board, calendar, broadcasts, holidays, members, print_queue):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """Add the staff routes and the central mapping of domain errors to HTTP answers."""
    app.include_router(router)
    install_error_handlers(app)
