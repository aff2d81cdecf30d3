"""Imports every module that defines tables, so metadata and migrations see them all."""

from casework import models  # noqa: F401
