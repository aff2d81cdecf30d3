"""The staff casework API: every step of a case, the deadline board, broadcasts, holidays.

Mounted under /staff; every endpoint needs a bearer token (`komek staff add`) and a role that
may do the action (casework.law.roles.PERMISSIONS), and is rate-limited per staff member
(gateway.staff.rate_limits: 429 with Retry-After).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from gateway.staff import (
    board,
    broadcasts,
    calendar,
    cases,
    holidays,
    links,
    lookups,
    members,
    notices,
    payments,
    print_queue,
    questions,
)
from gateway.staff.errors import install_error_handlers

router = APIRouter(prefix="/staff")
for module in (
    cases,
    board,
    calendar,
    broadcasts,
    holidays,
    members,
    notices,
    print_queue,
    links,
    lookups,
    questions,
):
    router.include_router(module.router)
router.include_router(payments.router)  # DR §23, §29–§34: accounts, budget, registers


def install(app: FastAPI) -> None:
    """Add the staff routes and the central mapping of domain errors to HTTP answers."""
    app.include_router(router)
    install_error_handlers(app)
