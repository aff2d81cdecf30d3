"""Logging for every `komek` command: one handler on the root logger, text or JSON
(KOMEK_LOG_FORMAT), masking IINs and phones in every record whichever format is chosen.

A quiet start: Alembic's per-migration INFO lines and uvicorn's own start-up chatter are kept to
warnings; the service says in one line where it listens (gateway/app.py).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

from casework.law.identity import PersonalDataFilter, mask_personal_data

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Loggers that speak at INFO about things an operator does not act on.
QUIET = ("alembic", "uvicorn.error", "uvicorn.access", "httpx", "aiogram.event")
# The attributes every LogRecord has; anything else was passed as `extra=` and is printed by the
# JSON formatter, so it is masked too.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class MaskEverything(PersonalDataFilter):
    """The project's masking of message, arguments and traceback, and of `extra=` values."""

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        for key, value in vars(record).items():
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_personal_data(value))
        return True


class MaskingJsonFormatter(JsonFormatter):
    """The JSON formatter renders tracebacks itself from `exc_info` (not the filter's masked
    `exc_text`), so it masks them itself."""

    # python-json-logger widens logging's return type to a list of lines; so must we.
    def formatException(self, ei: Any) -> str | list[str]:  # type: ignore[override]
        return _masked(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str | list[str]:  # type: ignore[override]
        return _masked(super().formatStack(stack_info))


def _masked(text: str | list[str]) -> str | list[str]:
    # The formatter gives a list of lines when asked to (exc_info_as_array); mask either way.
    return (
        mask_personal_data(text) if isinstance(text, str) else list(map(mask_personal_data, text))
    )


def formatter(log_format: Literal["json", "text"]) -> logging.Formatter:
    if log_format == "json":
        return MaskingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(
    log_format: Literal["json", "text"] = "text", *, level: int = logging.INFO
) -> logging.Handler:
    """Replace the root handlers with one masking handler on stderr; returns it."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(MaskEverything())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
