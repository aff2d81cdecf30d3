"""Every legal term of a case as one row of data (DOMAIN.md, "The case, step by step").

A term starts from an event of the case or from another term and runs a number of working days
on the district's calendar. Adding a term means adding a row, not code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casework.law.calendar import WorkingCalendar
from casework.law.rules import Channel
from casework.law.status import UNDECIDED, Status


class Term(StrEnum):
    REGISTRATION = "registration"
    PRECINCT_FORWARDING = "precinct_forwarding"
    INCOME_COMPUTATION = "income_computation"
    DECISION = "decision"
    PRELIMINARY_REFUSAL_LATEST = "preliminary_refusal_latest"
    OBJECTION = "objection"
    PROTOCOL_REMARKS = "protocol_remarks"
    CHAT_NOTICE = "chat_notice"


class Event(StrEnum):
    RECEIVED = "received"
    REGISTERED = "registered"
    INSPECTION_RETURNED = "inspection_returned"
    PRELIMINARY_REFUSAL_RECEIVED = "preliminary_refusal_received"
    PROTOCOL_READ = "protocol_read"
    DECIDED = "decided"


@dataclass(frozen=True)
class TermRule:
    term: Term
    starts: Event | Term
    working_days: int
    extended_working_days: int | None = None
    # An extended term may count from another event (DR §20: from the documents' acceptance).
    extended_starts: Event | None = None
    only_with_inspection: bool = False
    law: str = ""


# Case order; a rule starting from a term comes after that term's row.
TERM_RULES: tuple[TermRule, ...] = (
    # 0 working days from the day the filing counts as received (see EVENT_DAY).
    TermRule(Term.REGISTRATION, Event.RECEIVED, 0, law="SR §7, DR §14"),
    TermRule(
        Term.PRECINCT_FORWARDING,
        Event.REGISTERED,
        1,
        only_with_inspection=True,
        law="SR §7, DR §14",
    ),
    # Income computed and the file submitted to the special commission (SR §11): the documents
    # come back from the precinct commission, or from the akim who had them inspected.
    TermRule(
        Term.INCOME_COMPUTATION,
        Event.INSPECTION_RETURNED,
        1,
        only_with_inspection=True,
        law="SR §11",
    ),
    TermRule(
        Term.DECISION,
        Event.REGISTERED,
        8,
        extended_working_days=20,
        extended_starts=Event.RECEIVED,
        law="DR §20: 8 from registration; 20 from acceptance in the cases of Model Rules §16–17",
    ),
    # "Not later than three working days before the decision": counted back from its deadline.
    TermRule(
        Term.PRELIMINARY_REFUSAL_LATEST, Term.DECISION, -3, law="SR §15, DR §20; APPC art. 73"
    ),
    TermRule(
        Term.OBJECTION, Event.PRELIMINARY_REFUSAL_RECEIVED, 2, law="SR §15, DR §20; APPC art. 73(3)"
    ),
    TermRule(Term.PROTOCOL_REMARKS, Event.PROTOCOL_READ, 3, law="SR §15, DR §20"),
    TermRule(Term.CHAT_NOTICE, Event.DECIDED, 1, law="SR §15, DR §21"),
)

# How a moment becomes the day a term counts from: a filing outside working hours counts from
# the next working day (SR §7, DR §14); every other event from its local calendar day.
EVENT_DAY: Mapping[Event, Callable[[WorkingCalendar, datetime], date]] = {
    Event.RECEIVED: WorkingCalendar.registration_date,
}

# An event not recorded yet is taken as done on its term's day (registration happens on time).
DERIVED_EVENTS: Mapping[Event, Term] = {Event.REGISTERED: Term.REGISTRATION}


def compute_terms(
    calendar: WorkingCalendar,
    events: Mapping[Event, date | datetime],
    *,
    extended: bool = False,
    needs_inspection: bool = True,
) -> dict[Term, date]:
    """The last day of every term whose starting event has happened; the others are absent."""
    days = {event: _event_day(calendar, event, at) for event, at in events.items()}
    terms: dict[Term, date] = {}
    for rule in TERM_RULES:
        if rule.only_with_inspection and not needs_inspection:
            continue
        starts, n = rule.starts, rule.working_days
        if extended and rule.extended_working_days is not None:
            starts, n = rule.extended_starts or starts, rule.extended_working_days
        start = terms.get(starts) if isinstance(starts, Term) else days.get(starts)
        if start is None and starts is not rule.starts:  # acceptance not recorded: registration
            start = days.get(rule.starts)  # type: ignore[arg-type]
        if start is None:
            continue
        terms[rule.term] = calendar.add_working_days(start, n)
        for event, term in DERIVED_EVENTS.items():
            if term is rule.term:
                days.setdefault(event, terms[rule.term])
    return terms


def is_late(calendar: WorkingCalendar, deadline: date, moment: datetime) -> bool:
    """A term's last day lasts until local midnight in the district."""
    return calendar.local_date(moment) > deadline


def _event_day(calendar: WorkingCalendar, event: Event, at: date | datetime) -> date:
    if not isinstance(at, datetime):
        return at
    return EVENT_DAY.get(event, WorkingCalendar.local_date)(calendar, at)


S = Status
# Which step of the case meets which term: once met, a term leaves the deadline board.
MET_BY: dict[Status, tuple[Term, ...]] = {
    S.REGISTERED: (Term.REGISTRATION,),
    S.AT_PRECINCT_COMMISSION: (Term.PRECINCT_FORWARDING,),
    S.AT_SPECIAL_COMMISSION: (Term.INCOME_COMPUTATION,),
    S.PRELIMINARY_REFUSAL: (Term.PRELIMINARY_REFUSAL_LATEST,),
    S.OBJECTION_RECEIVED: (Term.OBJECTION,),
    S.REMARKS_RECEIVED: (Term.PROTOCOL_REMARKS,),
    S.GRANTED: (Term.DECISION, Term.PRELIMINARY_REFUSAL_LATEST),
    S.REFUSED: (Term.DECISION,),
}

# While the case is in one of these states the term still matters; past them it is moot (an
# objection window after the hearing was held) or met by the step that moved the case on.
LIVE_IN: dict[Term, frozenset[Status]] = {
    Term.REGISTRATION: frozenset({S.SUBMITTED, S.ACCEPTED}),
    Term.PRECINCT_FORWARDING: frozenset({S.REGISTERED}),
    Term.INCOME_COMPUTATION: frozenset({S.AT_PRECINCT_COMMISSION, S.INCOME_COMPUTED}),
    Term.DECISION: UNDECIDED,
    Term.PRELIMINARY_REFUSAL_LATEST: frozenset(
        {S.REGISTERED, S.AT_PRECINCT_COMMISSION, S.INCOME_COMPUTED, S.AT_SPECIAL_COMMISSION}
    ),
    Term.OBJECTION: frozenset({S.PRELIMINARY_REFUSAL}),
    Term.PROTOCOL_REMARKS: frozenset({S.PROTOCOL_MADE}),
    Term.CHAT_NOTICE: frozenset({S.GRANTED, S.REFUSED}),
}
# SR §15, DR §21: the one-working-day notice is owed to filings through the portal (the bot).
ONLY_FOR_CHANNEL: dict[Term, Channel] = {Term.CHAT_NOTICE: Channel.BOT}
