"""Domain errors as sentences in the clerk's language."""

from __future__ import annotations

from casework.law.errors import DomainError
from casework.texts.i18n import gettext


def explain(exc: DomainError, locale: str) -> str:
    return gettext(locale, "This cannot be done in the case's current state.")
