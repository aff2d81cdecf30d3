"""Imports every module that defines tables, so metadata and migrations see them all."""

from casework import (  # noqa: F401
    conversation,
    holiday_assistance,
    models,
    outbox,
    staff,
)
