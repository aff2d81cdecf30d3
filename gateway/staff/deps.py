"""Request-scoped dependencies: the runtime, one transaction per request, the staff member.

`SessionDep` commits when the handler returns and rolls back when it raises, before the answer
is sent (scope="function"), so a client never sees success for work that was not saved.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Coroutine
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.roles import Action
from casework.steps.case_file import load_application
from casework.steps.staff import staff_by_token
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.tables.applications import Application
from casework.tables.staff import Staff
from gateway.staff.errors import Forbidden, TooManyRequests, Unauthorized
from gateway.staff.rate_limits import Limiter, make_limiter


# Dependencies are coroutines even when they await nothing: FastAPI runs a plain function in
# its thread pool, a hand-off that costs more than the work on every request.
async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.sessions() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_env(runtime: RuntimeDep, session: SessionDep) -> CaseEnv:
    return await runtime.env(session)


EnvDep = Annotated[CaseEnv, Depends(get_env)]


async def get_limiter(request: Request) -> Limiter:
    """The app's rate limiter, made on first use (the runtime, and so Redis, is known by then);
    a test sets `app.state.staff_limiter` to its own."""
    state = request.app.state
    limiter: Limiter | None = getattr(state, "staff_limiter", None)
    if limiter is None:
        limiter = state.staff_limiter = make_limiter(state.runtime.settings.redis_url)
    return limiter


_bearer = HTTPBearer(auto_error=False, description="The token `komek staff add` printed.")


async def current_staff(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    limiter: Annotated[Limiter, Depends(get_limiter)],
) -> Staff:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required")
    staff = await staff_by_token(session, credentials.credentials)
    if staff is None:
        raise Unauthorized("the token is not valid")
    # Keyed by the staff member, not the token text: a reissued token shares the bucket.
    wait = await limiter.take(str(staff.id))
    if wait > 0:
        raise TooManyRequests(retry_after=max(1, math.ceil(wait)))
    return staff


StaffDep = Annotated[Staff, Depends(current_staff)]


@cache
def allowed(action: Action) -> Callable[[Staff], Coroutine[Any, Any, Staff]]:
    """A dependency that lets through only staff whose role may do `action` (else 403)."""

    async def check(staff: StaffDep) -> Staff:
        if not staff.may(action):
            raise Forbidden(
                f"the role {staff.role} may not {action}",
                role=staff.role.value,
                action=action.value,
            )
        return staff

    check.__name__ = f"may_{action.value}"
    return check


def permit(action: Action) -> Any:
    """Use as `staff: Annotated[Staff, permit(Action.DECIDE)]`."""
    return Depends(allowed(action))


async def get_case_for_change(application_id: int, session: SessionDep) -> Application:
    """The case, locked for this transaction so two staff cannot move it at once."""
    return await load_application(session, application_id, for_update=True)


async def get_case(application_id: int, session: SessionDep) -> Application:
    return await load_application(session, application_id)


CaseDep = Annotated[Application, Depends(get_case_for_change)]
CaseViewDep = Annotated[Application, Depends(get_case)]
