"""Domain errors become HTTP answers in one place, by exception type: {code, message, params}."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from casework.law.errors import DomainError, IllegalTransition, LateError, NotFound, RuleError


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class TooManyRequests(DomainError):
    """Over the token's rate limit; `retry_after` is whole seconds until a request would pass."""

    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: retry after {retry_after} s", retry_after=retry_after)


# The nearest class in the exception's MRO wins; DomainError itself is a state conflict.
HTTP_STATUS: dict[type[DomainError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    TooManyRequests: 429,
    NotFound: 404,
    RuleError: 422,
    LateError: 409,
    IllegalTransition: 409,
    DomainError: 409,
}


def http_status(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 409


# Money keeps its tiyn exactly: as a string, never a float.
_ENCODERS: dict[Any, Callable[[Any], Any]] = {Decimal: str}


def error_body(exc: DomainError) -> dict[str, object]:
    params = jsonable_encoder(exc.params, custom_encoder=_ENCODERS)
    return {"code": exc.code, "message": str(exc), "params": params}


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = http_status(exc)
    headers = None
    if status == 401:  # RFC 6750: a 401 names the scheme the client should use.
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, TooManyRequests):  # RFC 9110 §10.2.3: when to come back
        headers = {"Retry-After": str(exc.params["retry_after"])}
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 answer, with the input echoed back only as text JSON can carry: a lone
    surrogate in the request would otherwise fail the answer itself."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _encodable(jsonable_encoder(exc.errors()))}, status_code=422)


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {k: _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
