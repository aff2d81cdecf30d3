"""What must hold before each step of a case, as one table with the law it comes from.

`TRANSITIONS` (law/status.py) says which state a step may start from; the guards here say which
facts must hold and which windows must have closed. Each guard looks at `CaseFacts` (a plain
snapshot of the case, no database) and either passes or answers a `Blocked`: the rule, its law,
the missing fact and the first day the step becomes lawful (None when only an action unblocks it).
Checks that depend on what staff ask for (the grounds, the amount, the hearing's time) are in
`step_checks` below, so both kinds answer alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from casework.law.calendar import WorkingCalendar
from casework.law.rules import Ground, RefusalGround
from casework.law.status import AT_DECISION, AWAITING_HEARING, REMARKS_OPEN, UNDECIDED, Status
from casework.law.terms import Term

S = Status


class Step(StrEnum):
    """The steps staff take on a case (the applicant's own steps are guarded the same way)."""

    REGISTER = "register"
    FORWARD_TO_PRECINCT = "forward_to_precinct"
    RECORD_INSPECTION = "record_inspection"
    RECORD_INCOMES = "record_incomes"
    TO_SPECIAL_COMMISSION = "to_special_commission"
    RECORD_CONCLUSION = "record_conclusion"
    EXTEND = "extend"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    RESCHEDULE_HEARING = "reschedule_hearing"
    RECORD_OBJECTION = "record_objection"
    HOLD_HEARING = "hold_hearing"
    MAKE_PROTOCOL = "make_protocol"
    RECORD_REMARKS = "record_remarks"
    GRANT = "grant"
    REFUSE = "refuse"
    TERMINATE = "terminate"


_AFTER_PRELIMINARY_REFUSAL = AT_DECISION - {S.AT_SPECIAL_COMMISSION}

# The states each step may start from (the same moves as TRANSITIONS, by step).
STARTS_FROM: dict[Step, frozenset[Status]] = {
    Step.REGISTER: frozenset({S.ACCEPTED}),
    Step.FORWARD_TO_PRECINCT: frozenset({S.REGISTERED}),
    Step.RECORD_INSPECTION: frozenset({S.AT_PRECINCT_COMMISSION}),
    Step.RECORD_INCOMES: frozenset({S.AT_PRECINCT_COMMISSION}),
    Step.TO_SPECIAL_COMMISSION: frozenset(
        {S.REGISTERED, S.AT_PRECINCT_COMMISSION, S.INCOME_COMPUTED}
    ),
    Step.RECORD_CONCLUSION: frozenset({S.AT_SPECIAL_COMMISSION}),
    Step.EXTEND: UNDECIDED,
    # A ground the applicant was not heard on needs a preliminary refusal of its own.
    Step.PRELIMINARY_REFUSAL: AT_DECISION,
    Step.RESCHEDULE_HEARING: AWAITING_HEARING,
    Step.RECORD_OBJECTION: AWAITING_HEARING,
    Step.HOLD_HEARING: AWAITING_HEARING,
    Step.MAKE_PROTOCOL: frozenset({S.HEARING_HELD}),
    Step.RECORD_REMARKS: REMARKS_OPEN,
    Step.GRANT: AT_DECISION,
    Step.REFUSE: _AFTER_PRELIMINARY_REFUSAL,
    Step.TERMINATE: frozenset({S.GRANTED, S.NOTIFIED_GRANTED}),
}


# The legal term a step serves, for the work queue: doing the step meets it.
SERVES: dict[Step, Term] = {
    Step.REGISTER: Term.REGISTRATION,
    Step.FORWARD_TO_PRECINCT: Term.PRECINCT_FORWARDING,
    Step.RECORD_INCOMES: Term.INCOME_COMPUTATION,
    Step.TO_SPECIAL_COMMISSION: Term.INCOME_COMPUTATION,
    Step.PRELIMINARY_REFUSAL: Term.PRELIMINARY_REFUSAL_LATEST,
    Step.RECORD_OBJECTION: Term.OBJECTION,
    Step.RECORD_REMARKS: Term.PROTOCOL_REMARKS,
    Step.GRANT: Term.DECISION,
    Step.REFUSE: Term.DECISION,
}


@dataclass(frozen=True)
class HearingFacts:
    grounds: frozenset[RefusalGround]
    issued_on: date
    scheduled_at: datetime
    received_on: date | None
    held: bool
    objection: bool
    oral: bool
    protocol_made: bool
    protocol_read: bool
    remarks_given: bool


@dataclass(frozen=True)
class CaseFacts:
    status: Status
    now: datetime
    today: date
    calendar: WorkingCalendar
    ground: Ground | None
    needs_inspection: bool
    income_dependent: bool
    inspection_recorded: bool
    per_capita_income: Decimal | None
    income_threshold: Decimal | None
    conclusion_recorded: bool
    deadlines: dict[Term, date] = field(default_factory=dict)
    hearing: HearingFacts | None = None  # the latest preliminary refusal and its hearing
    heard_grounds: frozenset[RefusalGround] = frozenset()  # of every preliminary refusal

    @property
    def income_above_threshold(self) -> bool | None:
        if self.per_capita_income is None or self.income_threshold is None:
            return None
        return self.per_capita_income > self.income_threshold


class Missing(NamedTuple):
    """What a check found missing: the fact, the first day it will hold by waiting (None: only
    an action brings it), or the last day of a window that has closed for good."""

    fact: str
    lawful_from: date | None = None
    closed_on: date | None = None


@dataclass(frozen=True)
class Blocked:
    """Why a step is not lawful now, and from which day it will be (None: not by waiting)."""

    rule: str
    law: str
    missing: str
    lawful_from: date | None = None
    closed_on: date | None = None


Check = Callable[["CaseFacts"], Missing | None]


@dataclass(frozen=True)
class Guard:
    rule: str
    law: str
    check: Check

    def __call__(self, facts: CaseFacts) -> Blocked | None:
        found = self.check(facts)
        if found is None:
            return None
        return Blocked(self.rule, self.law, found.fact, found.lawful_from, found.closed_on)


def _day_after(day: date) -> date:
    return day + timedelta(days=1)


# ------------------------------------------------------------------ the checks, one per rule


def _inspected_ground(f: CaseFacts) -> Missing | None:
    if f.needs_inspection:
        return None
    return Missing("a ground the precinct commission inspects (district configuration)")


def _inspection_first(f: CaseFacts) -> Missing | None:
    if not f.needs_inspection or f.inspection_recorded:
        return None
    return Missing("the precinct commission's inspection result")


def _income_first(f: CaseFacts) -> Missing | None:
    if not f.income_dependent or f.per_capita_income is not None:
        return None
    return Missing("the per-capita income, computed after the inspection")


def _conclusion(f: CaseFacts) -> Missing | None:
    if f.conclusion_recorded:
        return None
    return Missing("the special commission's conclusion")


def _income_within_threshold(f: CaseFacts) -> Missing | None:
    if not f.income_dependent:
        return None
    if f.income_above_threshold is False:
        return None
    if f.income_above_threshold is None:
        return Missing("the per-capita income, computed")
    return Missing(
        f"per-capita income {f.per_capita_income} at or below the threshold {f.income_threshold}"
    )


def _in_time_for_preliminary_refusal(f: CaseFacts) -> Missing | None:
    latest = f.deadlines.get(Term.PRELIMINARY_REFUSAL_LATEST)
    if latest is None or f.today <= latest:
        return None
    return Missing("3 working days left before the decision deadline", closed_on=latest)


def _hearing_not_held(f: CaseFacts) -> Missing | None:
    if f.hearing is not None and not f.hearing.held:
        return None
    return Missing("a hearing still to be held")


def _hearing_time_reached(f: CaseFacts) -> Missing | None:
    h = f.hearing
    if h is None:
        return Missing("a scheduled hearing")
    if f.now >= h.scheduled_at:
        return None
    return Missing("the hearing's scheduled time", f.calendar.local_date(h.scheduled_at))


def _notice_period(f: CaseFacts) -> Missing | None:
    """The preliminary refusal goes out at least 3 working days before the decision."""
    h = f.hearing
    if h is None:
        return Missing("a preliminary refusal and its hearing")
    first = f.calendar.add_working_days(h.issued_on, 3)
    if f.today >= first:
        return None
    return Missing("3 working days since the preliminary refusal was issued", first)


def _applicant_heard(f: CaseFacts) -> Missing | None:
    """Either the objection was heard, or the objection window closed unused (a hearing held
    before the applicant even received the notice heard nobody)."""
    h = f.hearing
    if h is None:
        return Missing("a preliminary refusal and its hearing")
    if h.objection:
        if h.held:
            return None
        return Missing("the hearing of the applicant's objection")
    if h.received_on is None:
        return Missing("the applicant's receipt of the preliminary refusal")
    last = f.deadlines.get(Term.OBJECTION) or f.calendar.add_working_days(h.received_on, 2)
    # From the next working day's opening: an objection sent by SMS on the last evening may
    # still be confirmed until then (casework/steps/sms_replies.py).
    cal = f.calendar
    opens = datetime.combine(cal.next_working_day(last), cal.work_start, cal.tz)
    if f.now >= opens:
        return None
    return Missing(f"the end of the objection window ({last})", opens.date())


def _protocol_done(f: CaseFacts) -> Missing | None:
    """After an oral objection: the protocol made, read, and the remarks window used or closed."""
    h = f.hearing
    if h is None or not h.oral:
        return None
    if not h.protocol_made:
        return Missing("the hearing protocol")
    if not h.protocol_read:
        return Missing("the applicant's reading of the protocol")
    if h.remarks_given:
        return None
    deadline = f.deadlines.get(Term.PROTOCOL_REMARKS)
    if deadline is not None and f.today > deadline:
        return None
    last = deadline or f.today
    return Missing(f"the end of the window for remarks on the protocol ({last})", _day_after(last))


def _objection_window_open(f: CaseFacts) -> Missing | None:
    """2 working days from receipt; objecting before receipt is recorded proves the receipt."""
    deadline = f.deadlines.get(Term.OBJECTION)
    if deadline is None or f.today <= deadline:
        return None
    return Missing("an objection window still open", closed_on=deadline)


def _remarks_window_open(f: CaseFacts) -> Missing | None:
    """3 working days from reading the protocol."""
    deadline = f.deadlines.get(Term.PROTOCOL_REMARKS)
    if deadline is None or f.today <= deadline:
        return None
    return Missing("a window for remarks still open", closed_on=deadline)


_CONCLUSION = Guard("commission_conclusion", "DR §20", _conclusion)
_PRELIMINARY_IN_TIME = Guard(
    "preliminary_refusal_in_time", "SR §15, DR §20; APPC art. 73", _in_time_for_preliminary_refusal
)

# Every guard of every step, in the order they are checked.
GUARDS: dict[Step, tuple[Guard, ...]] = {
    Step.FORWARD_TO_PRECINCT: (Guard("inspected_ground", "SR §7, DR §14", _inspected_ground),),
    Step.RECORD_INCOMES: (Guard("inspection_first", "SR §11", _inspection_first),),
    Step.TO_SPECIAL_COMMISSION: (
        Guard("inspection_first", "SR §7, §11; DR §14", _inspection_first),
        Guard("income_first", "SR §11", _income_first),
    ),
    Step.PRELIMINARY_REFUSAL: (_CONCLUSION, _PRELIMINARY_IN_TIME),
    Step.RESCHEDULE_HEARING: (Guard("hearing_not_held", "SR §15", _hearing_not_held),),
    Step.RECORD_OBJECTION: (
        Guard("objection_window", "SR §15, DR §20; APPC art. 73(3)", _objection_window_open),
    ),
    Step.RECORD_REMARKS: (Guard("remarks_window", "SR §15, DR §20", _remarks_window_open),),
    Step.HOLD_HEARING: (
        Guard("hearing_not_held", "SR §15", _hearing_not_held),
        Guard("hearing_time", "SR §15, DR §20", _hearing_time_reached),
    ),
    Step.GRANT: (
        _CONCLUSION,
        Guard("income_within_threshold", "DR §8 item 4, §20", _income_within_threshold),
    ),
    Step.REFUSE: (
        _CONCLUSION,
        Guard("refusal_notice_period", "SR §15, DR §20; APPC art. 73", _notice_period),
        Guard("applicant_heard", "SR §15, DR §20; APPC art. 73", _applicant_heard),
        Guard("protocol_and_remarks", "SR §15, DR §20", _protocol_done),
    ),
}


def blocked(step: Step, facts: CaseFacts) -> list[Blocked]:
    """Every reason the step is not lawful now; empty when it is."""
    if facts.status not in STARTS_FROM[step]:
        allowed = ", ".join(sorted(STARTS_FROM[step]))
        return [Blocked("state", "DOMAIN.md, the case step by step", f"a case in: {allowed}")]
    return [b for guard in GUARDS.get(step, ()) if (b := guard(facts)) is not None]


# ------------------------------------------------------------------ what staff ask for


def refusal_grounds_heard(facts: CaseFacts, grounds: Collection[RefusalGround]) -> Blocked | None:
    """A final refusal only on grounds the applicant was heard on (APPC art. 73): those of
    every preliminary refusal that reached them."""
    new = sorted(set(grounds) - facts.heard_grounds)
    if not new:
        return None
    return Blocked(
        "grounds_heard",
        "SR §15, DR §20; APPC art. 73",
        f"a preliminary refusal and hearing on: {', '.join(new)}",
    )


def refusal_grounds_hold(facts: CaseFacts, grounds: Collection[RefusalGround]) -> Blocked | None:
    """Refusal ground 3 (DR §22) only when the computed per-capita income is above the threshold."""
    if RefusalGround.INCOME_ABOVE_THRESHOLD not in grounds or facts.income_above_threshold:
        return None
    if facts.income_above_threshold is None:
        missing = "the per-capita income, computed"
    else:
        missing = (
            f"per-capita income above the threshold ({facts.per_capita_income} is not above "
            f"{facts.income_threshold})"
        )
    return Blocked("income_above_threshold", "DR §22 item 3", missing)


def hearing_time(facts: CaseFacts, at: datetime) -> Blocked | None:
    """A hearing on a working day, within working hours, after the notice, by the deadline."""
    law = "SR §15, DR §20"
    cal = facts.calendar
    if at <= facts.now:
        return Blocked("hearing_time", law, "a hearing time after the notice is issued")
    if not cal.is_working_time(at):
        return Blocked(
            "hearing_time",
            law,
            f"a working day between {cal.work_start:%H:%M} and {cal.work_end:%H:%M}",
        )
    deadline = facts.deadlines.get(Term.DECISION)
    if deadline is not None and cal.local_date(at) > deadline:
        return Blocked("hearing_time", law, f"a day no later than the decision deadline {deadline}")
    return None
