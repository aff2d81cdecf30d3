"""The application's lifecycle: its states and the one table of legal moves between them."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED_TO_ACCEPT = "refused_to_accept"
    REGISTERED = "registered"
    AT_PRECINCT_COMMISSION = "at_precinct_commission"
    INCOME_COMPUTED = "income_computed"
    AT_SPECIAL_COMMISSION = "at_special_commission"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    OBJECTION_RECEIVED = "objection_received"
    HEARING_HELD = "hearing_held"
    PROTOCOL_MADE = "protocol_made"
    REMARKS_RECEIVED = "remarks_received"
    GRANTED = "granted"
    REFUSED = "refused"
    NOTIFIED_GRANTED = "notified_granted"
    NOTIFIED_REFUSED = "notified_refused"
    TERMINATED = "terminated"


S = Status
_DECIDE = (S.GRANTED, S.REFUSED)
_AGAIN = S.PRELIMINARY_REFUSAL

# from-state -> the states it may move to (DOMAIN.md "The case, step by step").
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    S.DRAFT: (S.SUBMITTED,),
    # Completeness check: an acceptance receipt or a refusal-to-accept receipt (SR §6).
    S.SUBMITTED: (S.ACCEPTED, S.REFUSED_TO_ACCEPT),
    S.ACCEPTED: (S.REGISTERED,),
    # Grounds 1, 2, 4 are inspected first (SR §7); the others go straight to the commission.
    S.REGISTERED: (S.AT_PRECINCT_COMMISSION, S.AT_SPECIAL_COMMISSION),
    S.AT_PRECINCT_COMMISSION: (S.INCOME_COMPUTED, S.AT_SPECIAL_COMMISSION),
    S.INCOME_COMPUTED: (S.AT_SPECIAL_COMMISSION,),
    # A refusal is never decided without a preliminary refusal and a hearing (APPC art. 73).
    S.AT_SPECIAL_COMMISSION: (S.GRANTED, S.PRELIMINARY_REFUSAL),
    # A ground the applicant was not heard on needs a preliminary refusal (and hearing) of its own.
    # Which decision is lawful when: casework/law/procedure.py.
    S.PRELIMINARY_REFUSAL: (_AGAIN, S.OBJECTION_RECEIVED, S.HEARING_HELD, *_DECIDE),
    S.OBJECTION_RECEIVED: (_AGAIN, S.OBJECTION_RECEIVED, S.HEARING_HELD, *_DECIDE),
    S.HEARING_HELD: (_AGAIN, S.PROTOCOL_MADE, *_DECIDE),
    S.PROTOCOL_MADE: (_AGAIN, S.REMARKS_RECEIVED, *_DECIDE),
    S.REMARKS_RECEIVED: (_AGAIN, S.REMARKS_RECEIVED, *_DECIDE),
    S.GRANTED: (S.NOTIFIED_GRANTED, S.TERMINATED),
    S.REFUSED: (S.NOTIFIED_REFUSED,),
    S.NOTIFIED_GRANTED: (S.TERMINATED,),
}

FINAL: frozenset[Status] = frozenset({S.REFUSED_TO_ACCEPT, S.NOTIFIED_REFUSED, S.TERMINATED})

# The hearing is announced and still to be held; the applicant may object until their window ends.
AWAITING_HEARING: frozenset[Status] = frozenset({S.PRELIMINARY_REFUSAL, S.OBJECTION_RECEIVED})
# The protocol is made: the applicant may send remarks on it until their window ends.
REMARKS_OPEN: frozenset[Status] = frozenset({S.PROTOCOL_MADE, S.REMARKS_RECEIVED})
# Decided, notice owed.
DECIDED: frozenset[Status] = frozenset(_DECIDE)
# Decided, with or without the notice delivered: a decision notice still belongs to the decision.
DECIDED_OR_NOTIFIED: frozenset[Status] = frozenset(
    {*_DECIDE, S.NOTIFIED_GRANTED, S.NOTIFIED_REFUSED}
)
# The step a delivered decision notice makes (SR §15, DR §21).
NOTIFIED: dict[Status, Status] = {S.GRANTED: S.NOTIFIED_GRANTED, S.REFUSED: S.NOTIFIED_REFUSED}
# Before the special commission, with its conclusion to come, up to the decision.
AT_DECISION: frozenset[Status] = frozenset(
    {
        S.AT_SPECIAL_COMMISSION,
        S.PRELIMINARY_REFUSAL,
        S.OBJECTION_RECEIVED,
        S.HEARING_HELD,
        S.PROTOCOL_MADE,
        S.REMARKS_RECEIVED,
    }
)
# Registered and not decided yet: the decision term runs.
UNDECIDED: frozenset[Status] = AT_DECISION | {
    S.REGISTERED,
    S.AT_PRECINCT_COMMISSION,
    S.INCOME_COMPUTED,
}


def allowed(current: Status, target: Status) -> bool:
    return target in TRANSITIONS.get(current, ())
