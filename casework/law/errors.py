"""Domain errors: a request the law or the case's state does not allow, for every caller.

`code` is stable for APIs; `params` carry the facts a message needs (the rule, the missing fact,
the deadline). The HTTP status each maps to lives in gateway/staff/errors.py.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the law does not allow in the case's current state (a conflict)."""

    code = "domain_error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.params = params


class IllegalTransition(DomainError):
    code = "illegal_transition"


class RuleError(DomainError):
    """The request itself breaks a rule (a missing fact, an amount over the ceiling)."""

    code = "rule_violation"


class Unlawful(RuleError):
    """A step the procedure does not allow now (law/procedure.py): `params` name the rule, its
    law, the missing fact and the first day it becomes lawful (None if waiting will not do)."""

    code = "unlawful_step"


class LateError(DomainError):
    """An applicant's window has passed; `deadline` says which day was the last."""

    code = "too_late"


class NotFound(DomainError):
    """What was asked for does not exist (a case, a list, a notice)."""

    code = "not_found"
