"""The moment the law needs each notice to have reached the applicant by (rules as data).

SR §15, DR §20–§21 give some notices a term: the decision reaches the portal cabinet (here the
chat) within one working day of the decision; the preliminary refusal reaches the applicant no
later than three working days before the decision; the hearing it announces must be known in time
to come. The row of a kind says what its term counts from; the worker retries until the term is at
risk, staff see notices at risk on the deadline board, and the proof of notice says whether it was
met. Kinds with no term say why in `NO_TERM`. All terms run on the district's working calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from casework.law.calendar import WorkingCalendar
from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.signing import CODE_VALID_FOR
from casework.law.terms import TERM_RULES, Term


class Since(StrEnum):
    """What a notice's term counts from."""

    WRITTEN = "written"  # the notice itself was written into the outbox
    DECIDED = "decided"  # the decision it tells of was made
    DECISION_DUE = "decision_due"  # the last day of the case's decision term
    HEARING = "hearing"  # the hearing it invites to


class Until(StrEnum):
    """Which moment of the term's last day ends it."""

    DAY_END = "day_end"  # local midnight: a term's last day lasts all day (terms.is_late)
    CLOSE = "close"  # the office's closing time: the applicant must still be able to come


@dataclass(frozen=True)
class DeliverByRule:
    since: Since
    working_days: int = 0  # counted from the local day of `since`; negative: before it
    until: Until = Until.DAY_END
    # A plain duration instead of working days (a one-time code lives minutes, not days).
    lasts: timedelta | None = None
    # The channels the term binds; None: every channel, paper included.
    channels: frozenset[NoticeChannel] | None = None
    law: str = ""


def _term_days(term: Term) -> int:
    # The case's own term table already counts these; the notice term follows it, never a copy.
    return next(rule.working_days for rule in TERM_RULES if rule.term is term)


K = NoticeKind
# The law names the cabinet (chat) notice; an SMS goes "automatically" and has no slower term.
# On paper the decision is handed over "when the applicant comes" (SR §15): no term of its own,
# but a failed SMS that falls back to print keeps the term it had.
_DECISION = DeliverByRule(
    Since.DECIDED,
    _term_days(Term.CHAT_NOTICE),
    channels=frozenset({NoticeChannel.CHAT, NoticeChannel.SMS}),
    law="SR §15, DR §21: within 1 working day",
)
# The hearing's day itself is too late to learn of it: by the office's closing time on the
# working day before, so the applicant can arrange to come (or to connect) the next morning.
_BEFORE_HEARING = DeliverByRule(Since.HEARING, -1, Until.CLOSE, law="SR §15, APPC art. 73")

# A kind may have several rules: the earliest moment binds.
RULES: Mapping[NoticeKind, tuple[DeliverByRule, ...]] = {
    K.DECISION_GRANTED: (_DECISION,),
    K.DECISION_REFUSED: (_DECISION,),
    K.PRELIMINARY_REFUSAL: (
        DeliverByRule(
            Since.DECISION_DUE,
            _term_days(Term.PRELIMINARY_REFUSAL_LATEST),
            law="SR §15, DR §20: no later than 3 working days before the decision",
        ),
        _BEFORE_HEARING,  # it announces the hearing too
    ),
    K.HEARING_INVITATION: (_BEFORE_HEARING,),
    # Not a legal term: the code expires, and one arriving later is worthless (never printed).
    K.SIGNING_CODE: (DeliverByRule(Since.WRITTEN, lasts=CODE_VALID_FOR, law="code expiry"),),
    K.LINK_CODE: (DeliverByRule(Since.WRITTEN, lasts=CODE_VALID_FOR, law="code expiry"),),
}

# No term, and why: the worker keeps its own retry rules for these, and the board ignores them.
NO_TERM: Mapping[NoticeKind, str] = {
    K.ACCEPTANCE_RECEIPT: "SR §6: the receipt is handed over at filing or shown in the cabinet",
    K.REFUSAL_TO_ACCEPT: "SR §6: the receipt is handed over at filing or shown in the cabinet",
    K.TERMINATION: "DR §24 says when payment stops, not by when the applicant is told",
    K.HOLIDAY_ASSISTANCE: "DR §12, §28: paid without an application; the notice informs only",
    K.PAYMENT_RETURNED: "DR §33 sets the department's term to record the return, not a notice",
    K.PROTOCOL_READY: "SR §15: the remarks window runs from reading the protocol, not from this",
    K.REMINDER: "optional: sent on the day written in working hours or withdrawn (delivery.py)",
    K.QUESTION_ANSWER: "an answer to a question is not a legal act of the case",
}

# Kinds whose term is the law's (not a code's expiry): what staff must watch and act on.
LEGAL_TERM_KINDS = frozenset(
    kind for kind, rules in RULES.items() if all(rule.lasts is None for rule in rules)
)


def needs(kind: NoticeKind) -> frozenset[Since]:
    """The facts a kind's term counts from (a caller loads only those)."""
    return frozenset(rule.since for rule in RULES.get(kind, ()))


def deliver_by(
    kind: NoticeKind,
    channel: NoticeChannel,
    calendar: WorkingCalendar,
    *,
    written_at: datetime,
    decided_at: datetime | None = None,
    decision_due: date | None = None,
    hearing_at: datetime | None = None,
) -> datetime | None:
    """The UTC moment `kind` sent by `channel` must have reached the applicant by; None when it
    has no term there, or when the fact its term counts from is unknown. Pure: row-by-row
    enqueue and set-based broadcast creation both call it."""
    facts: dict[Since, date | datetime | None] = {
        Since.WRITTEN: written_at,
        Since.DECIDED: decided_at,
        Since.DECISION_DUE: decision_due,
        Since.HEARING: hearing_at,
    }
    moments = [
        _moment(rule, calendar, fact)
        for rule in RULES.get(kind, ())
        if (rule.channels is None or channel in rule.channels)
        and (fact := facts[rule.since]) is not None
    ]
    return min(moments) if moments else None


def _moment(rule: DeliverByRule, calendar: WorkingCalendar, fact: date | datetime) -> datetime:
    if rule.lasts is not None:
        assert isinstance(fact, datetime), rule
        return fact.astimezone(UTC) + rule.lasts
    day = calendar.local_date(fact) if isinstance(fact, datetime) else fact
    last = calendar.add_working_days(day, rule.working_days)
    if rule.until is Until.CLOSE:
        local = datetime.combine(last, calendar.work_end, calendar.tz)
    else:
        local = datetime.combine(last + timedelta(days=1), time(0), calendar.tz)
    return local.astimezone(UTC)


# When a notice not yet delivered is at risk: its term ends before the office closes on the
# working day after today (its last working day has come, or passed), so staff still have a
# working day to act. A paper notice waits for the applicant to come in: one working day more,
# to phone them.
AT_RISK_WORKING_DAYS = 1
AT_RISK_WORKING_DAYS_ON_PAPER = 2


def at_risk_horizon(calendar: WorkingCalendar, now: datetime, *, on_paper: bool) -> datetime:
    """A notice whose term ends at or before this moment is at risk (UTC)."""
    days = AT_RISK_WORKING_DAYS_ON_PAPER if on_paper else AT_RISK_WORKING_DAYS
    last = calendar.add_working_days(calendar.local_date(now), days)
    return datetime.combine(last, calendar.work_end, calendar.tz).astimezone(UTC)
