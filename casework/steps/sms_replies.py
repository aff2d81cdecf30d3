"""The applicant's SMS to the department's number, read as one command (law/sms_commands.py).

Only a phone the mobile citizens database registers to an applicant acts, and only on that
applicant's filed cases (SR §15: the MCDB is what makes a phone the applicant's); anyone else
learns nothing but the department's phone. An objection is a legal act, so it is recorded only
after the same phone answers yes, and it counts from its first message (SR §15, DR §20). A
question (СҰРАҚ / ВОПРОС) is kept as the person's words for staff to answer, and is no act.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import DomainError, LateError
from casework.law.procedure import Step
from casework.law.sms_commands import SHOWN, Command, Parsed, parse
from casework.law.status import AWAITING_HEARING, DECIDED, Status
from casework.law.terms import Term
from casework.steps import inbound, questions
from casework.steps.case_file import CASE_LOADS
from casework.steps.hearings import attendance_closed, confirm_attendance, object_to_refusal
from casework.steps.notices import objection_due, phone_registered
from casework.steps.payments import outlook
from casework.steps.procedure import require
from casework.steps.questions import QuestionRefused
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.mcdb import McdbEntry
from casework.tables.sms_confirmations import SmsConfirmation
from casework.texts.i18n import LOCALES, day_and_time, format_short_day, gettext
from casework.texts.labels import label
from casework.texts.questions import question_refused
from casework.texts.storable import storable

# How long a "yes" may take: a plain day the reply can name, but never past the opening of the
# first working day after the objection window, when staff may lawfully decide the refusal (the
# refusal's guard cannot see an objection still waiting in an SMS).
CONFIRM_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class _At:
    """A clock stopped at one moment: the law's checks made as of the first message."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


@dataclass
class _Sender:
    phone: str
    cases: list[Application]  # newest first, every one of an applicant the MCDB registers here

    @property
    def locales(self) -> list[str]:
        found = {c.applicant.locale for c in self.cases}
        return [loc for loc in LOCALES if loc in found] or list(LOCALES)


def _each(locales: list[str], message: str, **params: object) -> str:
    return " / ".join(gettext(loc, message, **params) for loc in locales)


async def _sender(session: AsyncSession, phone: str) -> _Sender:
    """The filed cases of every applicant the MCDB registers to this phone, locked."""
    known = (
        select(Applicant)
        .outerjoin(Application, Application.applicant_id == Applicant.id)
        .where(
            or_(
                Applicant.phone == phone,
                Application.phone == phone,
                Applicant.iin.in_(select(McdbEntry.iin).where(McdbEntry.phone == phone)),
            )
        )
        .distinct()
    )
    owners = [
        a.id for a in await session.scalars(known) if await phone_registered(session, a.iin, phone)
    ]
    if not owners:
        return _Sender(phone, [])
    stmt = (
        select(Application)
        .where(Application.applicant_id.in_(owners), Application.status != Status.DRAFT)
        .options(*CASE_LOADS)
        .order_by(Application.id.desc())
        .with_for_update(of=Application)
    )
    return _Sender(phone, list(await session.scalars(stmt)))


def _help(env: CaseEnv, locales: list[str]) -> str:
    return _each(
        locales,
        "Write one word: STATUS - where your application is. OBJECTION and your reason - to "
        "object to the decision. ATTEND - you will come to the hearing. QUESTION and your "
        "question - to ask the department. STOP - no optional messages. Tel. {phone}",
        phone=env.district.provider.compact_phone,
    )


def _status(app: Application) -> str:
    loc = app.applicant.locale
    text = gettext(
        loc, "Application No. {number}: {status}.", number=app.id, status=label(app.status, loc)
    )
    due = app.deadline(Term.DECISION)
    if due and app.status not in DECIDED and not app.decisions:
        text += " " + gettext(loc, "Decision by {decision}.", decision=format_short_day(due))
    return text


async def _status_and_payment(session: AsyncSession, app: Application) -> str:
    """The status, and for a grant the month of the next payment (DR §32)."""
    due = (await outlook(session, app.id)).next
    if due is None:
        return _status(app)
    month = due.payment_month.strftime("%m.%Y")
    return f"{_status(app)} {gettext(app.applicant.locale, 'Next payment: {month}.', month=month)}"


def _hearing_open(app: Application) -> bool:
    hearing = app.latest_hearing
    return app.status in AWAITING_HEARING and hearing is not None and hearing.held_at is None


# The cases a command may go to without a number: where it can do something.
_FITS: dict[Command, Callable[[Application], bool]] = {
    Command.STATUS: lambda app: True,
    Command.OBJECT: lambda app: app.status in AWAITING_HEARING,
    Command.ATTEND: _hearing_open,
}


def _target(env: CaseEnv, who: _Sender, cmd: Parsed) -> Application | str:
    """The one case the command names or the only one it fits, else the reply to send."""
    by_id = {app.id: app for app in who.cases}
    if cmd.number is not None and cmd.number in by_id:
        return by_id[cmd.number]
    fits = [app for app in who.cases if _FITS[cmd.command](app)]
    if cmd.number is not None and len(fits) != 1:
        # Never says whether that number exists: only that it is not this phone's.
        return _each(who.locales, "This number has no application No. {number}.", number=cmd.number)
    if len(fits) == 1:
        return fits[0]
    if not fits:
        return _each(
            who.locales,
            "None of your applications has a hearing or a preliminary refusal now. Tel. {phone}",
            phone=env.district.provider.compact_phone,
        )
    numbers = ", ".join(f"№{app.id}" for app in fits)
    return " / ".join(
        gettext(
            loc,
            "This number has several applications: {numbers}. Write the word and the number, "
            "for example: {example}",
            numbers=numbers,
            example=f"{SHOWN[cmd.command][loc]} {fits[-1].id}",
        )
        for loc in who.locales
    )


async def _ask_to_confirm(
    session: AsyncSession, env: CaseEnv, who: _Sender, cmd: Parsed, message_id: str | None
) -> str:
    target = _target(env, who, cmd)
    if isinstance(target, str):
        return target
    app, loc = target, target.applicant.locale
    # A number that is not one of this phone's cases was part of the text ("ҚАРСЫЛЫҚ 3 балам").
    text = cmd.text if cmd.number == app.id else cmd.after_word
    if not text:
        word = SHOWN[Command.OBJECT][loc]
        return gettext(loc, "Write {word} and then your reason in the same SMS.", word=word)
    try:
        require(env, app, Step.RECORD_OBJECTION)  # the window as of this, the first message
    except LateError as exc:
        return _too_late(loc, exc)
    except DomainError:
        return _status(app)
    now = env.now()
    last_day = objection_due(env, app, env.today())
    opening = datetime.combine(
        env.calendar.next_working_day(last_day), env.calendar.work_start, env.calendar.tz
    )
    await _close_open(session, who.phone, now, "replaced")
    pending = SmsConfirmation(
        phone=who.phone,
        application_id=app.id,
        text=text,
        message_id=message_id,
        first_at=now,
        expires_at=min(now + CONFIRM_WITHIN, opening),
    )
    session.add(pending)
    day, time = day_and_time(pending.expires_at, env.calendar.tz)
    return gettext(
        loc,
        "To send your objection to application No. {number}, reply {yes}. Reply by: {date}, "
        "{time}. If you do not want to send it: {no}.",
        number=app.id,
        yes=SHOWN[Command.YES][loc],
        no=SHOWN[Command.NO][loc],
        time=time,
        date=format_short_day(day),
    )


def _too_late(loc: str, exc: LateError) -> str:
    deadline = exc.params.get("deadline")
    return gettext(
        loc,
        "The time to object ended on {deadline}; your message was not recorded as an objection.",
        deadline=format_short_day(deadline) if isinstance(deadline, date) else "—",
    )


async def _close_open(session: AsyncSession, phone: str, now: datetime, outcome: str) -> None:
    await session.execute(
        update(SmsConfirmation)
        .where(SmsConfirmation.phone == phone, SmsConfirmation.resolved_at.is_(None))
        .values(resolved_at=now, outcome=outcome)
    )


async def _answer_pending(session: AsyncSession, env: CaseEnv, who: _Sender, yes: bool) -> str:
    """ "Yes" records the waiting objection as of its first message; "no" drops it."""
    pending = await session.scalar(
        select(SmsConfirmation)
        .where(SmsConfirmation.phone == who.phone, SmsConfirmation.resolved_at.is_(None))
        .order_by(SmsConfirmation.id.desc())
        .limit(1)
        .with_for_update()
    )
    app = next((a for a in who.cases if pending and a.id == pending.application_id), None)
    if pending is None or app is None:  # nothing asked, or the MCDB no longer has this phone
        return _help(env, who.locales)
    loc, now = app.applicant.locale, env.now()
    pending.resolved_at = now
    if not yes:
        pending.outcome = "cancelled"
        return gettext(loc, "Your objection was not sent.")
    if now >= pending.expires_at:
        pending.outcome = "expired"
        word = SHOWN[Command.OBJECT][loc]
        return gettext(
            loc,
            "The time to answer has passed and the objection was not sent. To object, write "
            "{word} and your reason again.",
            word=word,
        )
    try:
        objection = await object_to_refusal(
            session,
            replace(env, clock=_At(pending.first_at)),
            app,
            text=pending.text,
            oral=False,
            via="sms",
            actor="applicant",
        )
    except LateError as exc:
        pending.outcome = "refused"
        return _too_late(loc, exc)
    except DomainError:
        pending.outcome = "refused"
        return _status(app)
    await session.flush()
    pending.outcome, pending.objection_id = "confirmed", objection.id
    return gettext(
        loc, "Your objection on application No. {number} has been recorded.", number=app.id
    )


async def _attend(session: AsyncSession, env: CaseEnv, who: _Sender, cmd: Parsed) -> str:
    target = _target(env, who, cmd)
    if isinstance(target, str):
        return target
    app, loc, hearing = target, target.applicant.locale, target.latest_hearing
    if hearing is None or not _hearing_open(app) or attendance_closed(env, app):
        return _status(app)  # its hour has passed: nothing to confirm
    if hearing.attendance_confirmed_at is None:
        await confirm_attendance(session, env, app)
    day, time = day_and_time(hearing.scheduled_at, env.calendar.tz)
    return gettext(
        loc,
        "Thank you. We expect you at the hearing on application No. {number}: {date} at {time}.",
        number=app.id,
        date=format_short_day(day),
        time=time,
    )


async def _question(
    session: AsyncSession, env: CaseEnv, who: _Sender, cmd: Parsed, message_id: str | None
) -> str:
    """Kept for staff to answer by SMS: about the case it names, else the newest one."""
    named = [app for app in who.cases if app.id == cmd.number]
    app = named[0] if named else who.cases[0]
    loc, word = app.applicant.locale, SHOWN[Command.QUESTION][app.applicant.locale]
    # A number that is not one of this phone's cases is part of the question ("ВОПРОС 3 детей").
    text = cmd.text if named else cmd.after_word
    try:
        await questions.ask_by_sms(
            session, env, phone=who.phone, application=app, text=text, message_id=message_id
        )
    except QuestionRefused as exc:
        return question_refused(loc, exc, env.district.provider.compact_phone, word=word)
    return gettext(
        loc,
        "Your question on application No. {number} is received. The answer will come by SMS to "
        "this number. A question does not change your application.",
        number=app.id,
    )


async def _stop(session: AsyncSession, env: CaseEnv, who: _Sender) -> str:
    """No more optional messages for these applicants; notices the law requires still go."""
    for applicant in {app.applicant for app in who.cases}:
        if applicant.sms_opt_out_at is None:
            applicant.sms_opt_out_at = env.now()
    return _each(
        who.locales,
        "Done: we will not send you optional messages. Notices on your application that the "
        "law requires will still come.",
    )


async def answer_sms(
    session: AsyncSession, env: CaseEnv, phone: str, body: str, message_id: str | None = None
) -> str:
    """The reply to one SMS; only the commands change anything, and only on this phone's cases."""
    cmd = parse(storable(body))
    who = await _sender(session, phone)
    if not who.cases:
        return _each(
            list(LOCALES),
            "We cannot answer about applications to this number. Please call the department: "
            "{phone}",
            phone=env.district.provider.compact_phone,
        )
    if cmd is None or cmd.command is Command.HELP:
        return _help(env, who.locales)
    if cmd.command in (Command.YES, Command.NO):
        return await _answer_pending(session, env, who, cmd.command is Command.YES)
    if cmd.command is Command.STOP:
        return await _stop(session, env, who)
    if cmd.command is Command.OBJECT:
        return await _ask_to_confirm(session, env, who, cmd, message_id)
    if cmd.command is Command.ATTEND:
        return await _attend(session, env, who, cmd)
    if cmd.command is Command.QUESTION:
        return await _question(session, env, who, cmd, message_id)
    target = _target(env, who, cmd)
    return target if isinstance(target, str) else await _status_and_payment(session, target)


async def answer_once(
    session: AsyncSession,
    env: CaseEnv,
    *,
    provider: str,
    message_id: str | None,
    phone: str,
    body: str,
) -> str:
    """`answer_sms`, once per provider message: a delivery of the same message again (a retry, a
    replay, a copy at the same moment) gets the first answer and changes nothing."""
    if not message_id:
        return await answer_sms(session, env, phone, body)
    ids = {"provider": provider, "message_id": message_id}
    if not await inbound.claim(session, **ids, at=env.now()):
        return await inbound.earlier_answer(session, **ids)
    reply = await answer_sms(session, env, phone, body, message_id)
    await inbound.answered(session, **ids, reply=reply)
    return reply
