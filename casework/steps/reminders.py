"""Reminders found and sent: each row of law/reminders.py applied to the cases, written to the
outbox like any notice (steps/notices.py picks the channels; a reminder is never printed).

`send_due` is one pass, run every few minutes by the delivery worker at any hour: it withdraws
reminders that waited too long in the queue, then, in working hours on a working day only,
writes each reminder that is due and not sent yet. A row in `sent_reminders` (unique per case,
reminder and occasion) is written with the messages in one savepoint, so two passes or two
workers never send one reminder twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from casework.law.notices import OPTIONAL_KINDS, NoticeKind, NoticeStatus
from casework.law.reminders import (
    REMINDERS,
    RULES,
    About,
    Reminder,
    ReminderRule,
    Window,
    window,
)
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import notices
from casework.steps.case_file import load_application
from casework.steps.delivery import too_late, withdraw
from casework.steps.intake import completeness
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application, Deadline
from casework.tables.audit import AuditEvent
from casework.tables.hearings import Hearing, HearingProtocol
from casework.tables.notices import Notice
from casework.tables.reminders import SentReminder

log = logging.getLogger(__name__)
Row = TypeVarTuple("Row")


@dataclass(frozen=True)
class Occasion:
    """One reminder one case may get: what it is about, and when it may go."""

    application_id: int
    rule: ReminderRule
    key: str  # unique per case and reminder: the day (and hearing) it is about
    window: Window
    facts: dict[str, Any]  # what its words say (texts/reminders.py reads them from the payload)

    def payload(self) -> dict[str, Any]:
        ends = self.window.ends
        return {
            "reminder": self.rule.reminder.value,
            **self.facts,
            "until": ends.isoformat() if ends else None,
        }


def _at_step(stmt: Select[*Row], rule: ReminderRule) -> Select[*Row]:
    """Only cases still at the rule's step, filed the rule's way, whose applicant did not say
    СТОП. The СТОП reply promises "no optional messages" and names no channel, so it holds in
    the chat too (steps/sms_replies.py)."""
    stmt = stmt.join(Applicant, Application.applicant_id == Applicant.id).where(
        Application.status.in_(rule.states), Applicant.sms_opt_out_at.is_(None)
    )
    if rule.channels is not None:
        stmt = stmt.where(Application.channel.in_(rule.channels))
    return stmt


def _last_day_about(env: CaseEnv, rule: ReminderRule) -> date:
    """The latest day a reminder going today or earlier can be about: a reminder sent the
    working day before is about the next working day."""
    return env.calendar.add_working_days(env.today(), max(-rule.working_days, 0))


async def _term_deadlines(
    session: AsyncSession, env: CaseEnv, rule: ReminderRule, term: Term
) -> list[Occasion]:
    """A term's last day, for the cases where it runs and is not met."""
    stmt = (
        select(Application.id, Deadline.due_on)
        .join(Deadline, Deadline.application_id == Application.id)
        .where(
            Deadline.term == term,
            Deadline.met_at.is_(None),
            Deadline.due_on >= env.today(),
            Deadline.due_on <= _last_day_about(env, rule),
        )
    )
    return [
        Occasion(
            app_id,
            rule,
            day.isoformat(),
            window(rule, env.calendar, day),
            {"day": day.isoformat()},
        )
        for app_id, day in await session.execute(_at_step(stmt, rule))
    ]


async def _objection_deadlines(
    session: AsyncSession, env: CaseEnv, rule: ReminderRule
) -> list[Occasion]:
    # The window runs only once the refusal was received: before that there is no last day.
    return await _term_deadlines(session, env, rule, Term.OBJECTION)


async def _remarks_deadlines(
    session: AsyncSession, env: CaseEnv, rule: ReminderRule
) -> list[Occasion]:
    # The window runs only once the protocol was read.
    return await _term_deadlines(session, env, rule, Term.PROTOCOL_REMARKS)


async def _hearings(session: AsyncSession, env: CaseEnv, rule: ReminderRule) -> list[Occasion]:
    """The case's current hearing, still to be held, from now to the last day in reach."""
    cal, now = env.calendar, env.now()
    horizon = datetime.combine(_last_day_about(env, rule) + timedelta(days=1), time(0), cal.tz)
    other = aliased(Hearing)  # the case's latest hearing: one superseded is no occasion
    latest = select(func.max(other.id)).where(other.application_id == Application.id)
    stmt = (
        select(Application.id, Hearing)
        .join(Hearing, Hearing.application_id == Application.id)
        .where(
            Hearing.id == latest.scalar_subquery(),
            Hearing.held_at.is_(None),
            Hearing.scheduled_at > now,
            Hearing.scheduled_at < horizon,
        )
    )
    found = []
    for app_id, hearing in await session.execute(_at_step(stmt, rule)):
        at = hearing.scheduled_at
        found.append(
            Occasion(
                app_id,
                rule,
                # A new time is a new occasion: the applicant is reminded of the time that holds.
                f"{hearing.id}@{at.isoformat()}",
                window(rule, cal, cal.local_date(at), at),
                {
                    "hearing_id": hearing.id,
                    "at": at.isoformat(),
                    "mode": hearing.mode.value,
                    "details": hearing.details,
                },
            )
        )
    return found


async def _unread_protocols(
    session: AsyncSession, env: CaseEnv, rule: ReminderRule
) -> list[Occasion]:
    """Protocols of the case's current hearing made and not read yet."""
    cal = env.calendar
    other = aliased(Hearing)
    latest = select(func.max(other.id)).where(other.application_id == Application.id)
    stmt = (
        select(Application.id, HearingProtocol)
        .join(Hearing, Hearing.application_id == Application.id)
        .join(HearingProtocol, HearingProtocol.hearing_id == Hearing.id)
        .where(Hearing.id == latest.scalar_subquery(), HearingProtocol.read_at.is_(None))
    )
    return [
        Occasion(
            app_id,
            rule,
            str(protocol.id),
            window(rule, cal, cal.local_date(protocol.made_at)),
            {"hearing_id": protocol.hearing_id},
        )
        for app_id, protocol in await session.execute(_at_step(stmt, rule))
    ]


async def _drafts_left(session: AsyncSession, env: CaseEnv, rule: ReminderRule) -> list[Occasion]:
    """Drafts nobody has touched for the rule's working days, with documents still missing.

    A draft is touched when it moves or anything is recorded on it (an upload, the family);
    it is reminded of once: a second nudge for the same draft would be nagging.
    """
    cal = env.calendar
    touched = (
        select(func.max(AuditEvent.at))
        .where(AuditEvent.application_id == Application.id)
        .scalar_subquery()
    )
    # n working days are at least n calendar days: a cheap bound; the window decides.
    before = datetime.combine(env.today() - timedelta(days=rule.working_days - 1), time(0), cal.tz)
    reminded = select(SentReminder.id).where(
        SentReminder.application_id == Application.id, SentReminder.reminder == rule.reminder
    )
    stmt = (
        select(Application, touched)
        .where(
            Application.ground.is_not(None),  # what is missing depends on the ground
            Application.updated_at < before,
            ~reminded.exists(),
        )
        .options(selectinload(Application.documents))
    )
    found = []
    for app, last in await session.execute(_at_step(stmt, rule)):
        left = cal.local_date(max(app.updated_at, last or app.updated_at))
        missing = completeness(app, env.today()).missing
        if not missing:
            continue
        found.append(
            Occasion(
                app.id,
                rule,
                "draft",
                window(rule, cal, left),
                {"missing": [k.value for k in missing]},
            )
        )
    return found


Resolver = Callable[[AsyncSession, CaseEnv, ReminderRule], Awaitable[list[Occasion]]]
# How each `About` is found among the cases: one query per rule and pass.
RESOLVERS: dict[About, Resolver] = {
    About.OBJECTION_DEADLINE: _objection_deadlines,
    About.HEARING: _hearings,
    About.PROTOCOL_MADE: _unread_protocols,
    About.REMARKS_DEADLINE: _remarks_deadlines,
    About.DRAFT_LEFT: _drafts_left,
}


async def due_reminders(session: AsyncSession, env: CaseEnv) -> list[Occasion]:
    """Every reminder due now and not sent yet; none outside working hours or on a day off."""
    now = env.now()
    if not env.calendar.is_working_time(now):
        return []
    due: list[Occasion] = []
    for rule in REMINDERS:
        found = [
            o
            for o in await RESOLVERS[rule.about](session, env, rule)
            if o.window.holds(env.calendar, now)
        ]
        if not found:
            continue
        ids = {o.application_id for o in found}
        sent = await session.execute(
            select(SentReminder.application_id, SentReminder.occasion).where(
                SentReminder.reminder == rule.reminder, SentReminder.application_id.in_(ids)
            )
        )
        done = {(app_id, key) for app_id, key in sent}
        told = await _told_today(session, env, rule, ids)
        due += [
            o
            for o in found
            if (o.application_id, o.key) not in done and o.application_id not in told
        ]
    return due


async def _told_today(
    session: AsyncSession, env: CaseEnv, rule: ReminderRule, ids: set[int]
) -> set[int]:
    """The cases that got one of the rule's `not_the_day_of` notices today."""
    if not rule.not_the_day_of:
        return set()
    midnight = datetime.combine(env.today(), time(0), env.calendar.tz)
    stmt = select(Notice.application_id).where(
        Notice.application_id.in_(ids),
        Notice.kind.in_(rule.not_the_day_of),
        Notice.created_at >= midnight,
    )
    return set(await session.scalars(stmt))


async def _send(session: AsyncSession, env: CaseEnv, occasion: Occasion) -> bool:
    """Record and write one reminder; False if another pass sent it first."""
    try:
        async with session.begin_nested():
            record = SentReminder(
                application_id=occasion.application_id,
                reminder=occasion.rule.reminder,
                occasion=occasion.key,
                messages=0,
                sent_at=env.now(),
            )
            session.add(record)
            await session.flush()  # the unique row first: a second pass stops here
            app = await load_application(session, occasion.application_id)
            rows = await notices.enqueue(session, env, app, NoticeKind.REMINDER, occasion.payload())
            record.messages = len(rows)
    except IntegrityError:
        return False
    except Exception:  # one case's trouble must not stop every other reminder, pass after pass
        log.exception(
            "application %s: reminder %s not written", occasion.application_id, occasion.key
        )
        return False
    return True


async def withdraw_stale(session: AsyncSession, env: CaseEnv) -> int:
    """Withdraw reminders still waiting in the queue that may no longer go: written on an
    earlier day or now past working hours, past their moment, for a case that has moved on,
    or for an applicant who said СТОП meanwhile."""
    now = env.now()
    stmt = (
        select(
            Notice.id,
            Notice.payload,
            Notice.created_at,
            Application.status,
            Applicant.sms_opt_out_at,
        )
        .join(Application, Notice.application_id == Application.id)
        .join(Applicant, Notice.applicant_id == Applicant.id)
        .where(Notice.status == NoticeStatus.QUEUED, Notice.kind.in_(OPTIONAL_KINDS))
    )
    stale = [
        notice_id
        for notice_id, payload, created_at, status, stopped_at in await session.execute(stmt)
        if stopped_at is not None or too_late(env, now, created_at) or _moot(payload, status, now)
    ]
    return await withdraw(session, stale, at=now)


_CODES = {r.value: r for r in Reminder}


def _moot(payload: dict[str, Any], status: Status, now: datetime) -> bool:
    """Past its moment, or the case has left the step it speaks of."""
    until = payload.get("until")
    if until is not None and now >= datetime.fromisoformat(until):
        return True
    code = _CODES.get(payload.get("reminder", ""))
    return code is not None and status not in RULES[code].states


async def send_due(session: AsyncSession, env: CaseEnv) -> int:
    """One pass: withdraw what may no longer go, then write what is due. Returns how many
    reminders were written (a reminder no channel can carry is recorded, and counts)."""
    withdrawn = await withdraw_stale(session, env)
    sent = 0
    for occasion in await due_reminders(session, env):
        sent += await _send(session, env, occasion)
    if withdrawn or sent:
        log.info("reminders: %d written, %d withdrawn", sent, withdrawn)
    return sent
