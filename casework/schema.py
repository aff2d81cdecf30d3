"""Imports every module that defines tables, so metadata and migrations see them all."""

from casework import models  # noqa: F401
from casework import holiday_assistance, staff  # noqa: F401
from casework import conversation  # noqa: F401
from casework import outbox  # noqa: F401
