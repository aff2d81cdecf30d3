"""Reminders, as data: optional messages so an applicant does not miss a term or a step.

Nothing in the law requires them (the notices of law/notices.py are what it requires), so they
bend to the reader: only on working days and within the district's working hours, never after
the applicant's СТОП, never twice, and never once the case has moved past the step they speak of.

Each row says what it is about (a term's last day, the hearing, a draft left alone), on which
working day it goes counted from that day, until when it may still go, and at which steps of the
case it still makes sense. Its code names its words (texts/reminders.py). Adding a reminder means
adding a row, a resolver for a new `About` (steps/reminders.py) if it needs one, and its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from casework.law.calendar import WorkingCalendar
from casework.law.notices import HEARING_KINDS, NoticeKind
from casework.law.rules import Channel
from casework.law.status import AWAITING_HEARING, Status


class Reminder(StrEnum):
    OBJECTION_CLOSES = "objection_closes"  # the last day to object to a preliminary refusal
    HEARING_SOON = "hearing_soon"  # the hearing is on the next working day
    PROTOCOL_UNREAD = "protocol_unread"  # the hearing's protocol made, still not read
    REMARKS_CLOSE = "remarks_close"  # the last day for remarks on the hearing's protocol
    DOCUMENTS_MISSING = "documents_missing"  # a draft left without its documents


class About(StrEnum):
    """The day a reminder is about."""

    OBJECTION_DEADLINE = "objection_deadline"  # Term.OBJECTION: 2 working days from receipt
    HEARING = "hearing"  # the day the hearing is set for
    PROTOCOL_MADE = "protocol_made"  # the day the hearing's protocol was made
    REMARKS_DEADLINE = "remarks_deadline"  # Term.PROTOCOL_REMARKS: 3 working days from reading
    DRAFT_LEFT = "draft_left"  # the last day anything was done to a draft


class Until(StrEnum):
    """Until when a reminder may still go; later it would not help (or would mislead)."""

    END_OF_DAY = "end_of_day"  # the end of the day it is about (a term's last day)
    THE_MOMENT = "the_moment"  # the moment it is about (the hearing's start)
    CASE_MOVES = "case_moves"  # as long as the case stays at the step


@dataclass(frozen=True)
class ReminderRule:
    reminder: Reminder
    about: About
    # From the day it is about to the day it goes: 0 that day (the next working day if it is a
    # day off), -1 the working day before, 3 the third working day after.
    working_days: int
    until: Until
    # The steps at which it still makes sense: past them the case has moved on (an objection
    # filed, the hearing held, remarks given, the draft filed).
    states: frozenset[Status]
    # Only for cases filed this way (None: any); a draft at the office is staff's to finish.
    channels: frozenset[Channel] | None = None
    # Not on a day the applicant already got one of these notices: it said the same thing.
    not_the_day_of: frozenset[NoticeKind] = frozenset()
    law: str = ""  # the term or step it serves (a reminder itself is no legal act)


S = Status
REMINDERS: tuple[ReminderRule, ...] = (
    ReminderRule(
        Reminder.OBJECTION_CLOSES,
        About.OBJECTION_DEADLINE,
        0,
        Until.END_OF_DAY,
        frozenset({S.PRELIMINARY_REFUSAL}),
        law="SR §15, DR §20; APPC art. 73(3)",
    ),
    # "Tomorrow" on the working day before: a Monday hearing is announced on Friday (or on the
    # last working day before a holiday), never on a weekend. Its words name the day and time.
    ReminderRule(
        Reminder.HEARING_SOON,
        About.HEARING,
        -1,
        Until.THE_MOMENT,
        AWAITING_HEARING,
        not_the_day_of=HEARING_KINDS,  # invited today (a new time): reminded the next day
        law="SR §15; APPC art. 73",
    ),
    # The remarks window runs from reading (SR §15), and the decision waits for it: a protocol
    # nobody opened two working days after the "ready" message holds the case up.
    ReminderRule(
        Reminder.PROTOCOL_UNREAD,
        About.PROTOCOL_MADE,
        2,
        Until.CASE_MOVES,
        frozenset({S.PROTOCOL_MADE}),
        law="SR §15, DR §20",
    ),
    ReminderRule(
        Reminder.REMARKS_CLOSE,
        About.REMARKS_DEADLINE,
        0,
        Until.END_OF_DAY,
        frozenset({S.PROTOCOL_MADE}),
        law="SR §15, DR §20",
    ),
    ReminderRule(
        Reminder.DOCUMENTS_MISSING,
        About.DRAFT_LEFT,
        3,
        Until.CASE_MOVES,
        frozenset({S.DRAFT}),
        channels=frozenset({Channel.BOT}),
        law="SR §6, DR §13",
    ),
)
RULES: dict[Reminder, ReminderRule] = {rule.reminder: rule for rule in REMINDERS}


@dataclass(frozen=True)
class Window:
    """When a reminder may go: from the opening of its day until `ends` (None: no end)."""

    opens: datetime
    ends: datetime | None

    def holds(self, calendar: WorkingCalendar, now: datetime) -> bool:
        """Due now: inside the window, and in working hours on a working day."""
        in_window = self.opens <= now and (self.ends is None or now < self.ends)
        return in_window and calendar.is_working_time(now)

    def passed(self, now: datetime) -> bool:
        return self.ends is not None and now >= self.ends


def window(
    rule: ReminderRule, calendar: WorkingCalendar, day: date, moment: datetime | None = None
) -> Window:
    """The window of a reminder about `day` (and, for one about a moment, that moment)."""
    goes_on = calendar.add_working_days(day, rule.working_days)
    opens = datetime.combine(goes_on, calendar.work_start, calendar.tz)
    if rule.until is Until.END_OF_DAY:
        ends: datetime | None = datetime.combine(day + timedelta(days=1), time(0), calendar.tz)
    elif rule.until is Until.THE_MOMENT:
        assert moment is not None, f"{rule.reminder} is about a moment"
        ends = moment
    else:
        ends = None
    return Window(opens, ends)
