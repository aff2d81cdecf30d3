"""The case as its applicant reads it: where it is, what comes next, the terms that are theirs.

Pure text from the loaded case, so the bot's status screen and the staff API show the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from casework.law.notices import NoticeChannel
from casework.law.rules import DocumentKind, RefusalGround
from casework.law.status import AWAITING_HEARING, REMARKS_OPEN, Status
from casework.law.terms import LIVE_IN, ONLY_FOR_CHANNEL, Term
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.tables.payments import PaymentEntry
from casework.texts.i18n import (
    N_,
    day_and_time,
    format_day,
    format_month,
    format_tenge,
    gettext,
)
from casework.texts.labels import label
from casework.texts.notices import facts_for, render


class PaymentOutlook(Protocol):
    """The next payment due and the last one paid (casework.steps.payments.Outlook)."""

    @property
    def next(self) -> PaymentEntry | None: ...

    @property
    def last(self) -> PaymentEntry | None: ...


# What happens next, in the applicant's words, for every state of the case.
NEXT_STEP: dict[Status, str] = {
    Status.DRAFT: N_("Finish the questions and send the documents."),
    Status.SUBMITTED: N_("The documents are being checked."),
    Status.ACCEPTED: N_("The application will be registered."),
    Status.REFUSED_TO_ACCEPT: N_("Collect the missing documents and file again."),
    Status.REGISTERED: N_("The department is preparing your case for the commission."),
    Status.AT_PRECINCT_COMMISSION: N_("A commission will visit to see your living conditions."),
    Status.INCOME_COMPUTED: N_("Your case goes to the special commission."),
    Status.AT_SPECIAL_COMMISSION: N_("Wait for the decision."),
    Status.PRELIMINARY_REFUSAL: N_("You may object or ask to be heard before the decision."),
    Status.OBJECTION_RECEIVED: N_("Your objection will be considered at the hearing."),
    Status.HEARING_HELD: N_("The hearing protocol will be made; you can read it here."),
    Status.PROTOCOL_MADE: N_("Read the protocol; you may send remarks on it."),
    Status.REMARKS_RECEIVED: N_("Wait for the decision."),
    Status.GRANTED: N_("The notice of the decision will be sent to you."),
    Status.REFUSED: N_("The notice of the decision will be sent to you."),
    Status.NOTIFIED_GRANTED: N_("The State Corporation will pay the assistance."),
    Status.NOTIFIED_REFUSED: N_(
        "You may complain about the decision to the higher body or to the court. Tel. {phone}"
    ),
    Status.TERMINATED: N_("Payments have stopped."),
}


CHANNEL_WORDS: dict[NoticeChannel, str] = {
    NoticeChannel.SMS: N_("by SMS"),
    NoticeChannel.CHAT: N_("in this chat"),
    NoticeChannel.PRINT: N_("on paper at the office"),
}


@dataclass(frozen=True)
class ApplicantActions:
    """What the applicant may lawfully do about the case now (casework.steps.status says, from
    the procedure's guards): the status screen offers these and no other."""

    may_object: bool = False
    may_attend: bool = False
    may_read_protocol: bool = False
    may_remark: bool = False

    @property
    def any(self) -> bool:
        return self.may_object or self.may_attend or self.may_read_protocol or self.may_remark


# Only the terms the applicant acts on or waits for, each in their own words; the department's
# own terms (forwarding, income, the last day to notify a preliminary refusal) are not theirs.
TERM_LINES: dict[Term, str] = {
    Term.REGISTRATION: N_("⏳ The application is registered by: {day}"),
    Term.DECISION: N_("⏳ The decision is made by: {day}"),
    Term.CHAT_NOTICE: N_("⏳ The notice of the decision comes to this chat by: {day}"),
    Term.OBJECTION: N_("✍️ You may object until: {day}"),
    Term.PROTOCOL_REMARKS: N_("✍️ You may send remarks on the protocol until: {day}"),
}
# A term the applicant acts on is shown only while the procedure still lets them act.
ACTED_ON: dict[Term, Callable[[ApplicantActions], bool]] = {
    Term.OBJECTION: lambda actions: actions.may_object,
    Term.PROTOCOL_REMARKS: lambda actions: actions.may_remark,
}
# A preliminary refusal's grounds and hearing matter until the decision.
PENDING_HEARING: frozenset[Status] = AWAITING_HEARING | REMARKS_OPEN | {Status.HEARING_HELD}
REFUSED_STATES = frozenset({Status.REFUSED, Status.NOTIFIED_REFUSED})


def status_text(
    app: Application,
    env: CaseEnv,
    locale: str,
    *,
    notices: Sequence[Notice] = (),
    payments: PaymentOutlook | None = None,
    actions: ApplicantActions | None = None,
) -> str:
    """What is true of the case now: no term that has stopped running, no hearing that is past,
    no refusal grounds once the case is granted; notices named in `locale`, whatever language
    they were sent in."""
    actions = actions or ApplicantActions()
    lines = [
        gettext(locale, "Application No. {number}", number=app.id),
        gettext(locale, "Status: {status}", status=label(app.status, locale)),
    ]
    if app.registered_on:
        lines.append(
            gettext(locale, "Registered on {day}", day=format_day(app.registered_on, locale))
        )
    step = gettext(locale, _next_step(app, actions), phone=env.district.provider.phone)
    lines.append(gettext(locale, "Next: {step}", step=step))
    if app.status is Status.REFUSED_TO_ACCEPT and app.missing_documents:
        lines.append(gettext(locale, "Missing documents:"))
        lines += [f"• {label(DocumentKind(k), locale)}" for k in app.missing_documents]
    lines += _hearing_lines(app, env, locale)
    decision = app.latest_decision
    if app.status in REFUSED_STATES and decision is not None and decision.refusal_grounds:
        lines.append(gettext(locale, "Grounds of the refusal:"))
        lines += [f"• {label(RefusalGround(g), locale)}" for g in decision.refusal_grounds]
    terms = [
        gettext(locale, TERM_LINES[row.term], day=format_day(row.due_on, locale))
        for row in app.deadlines
        if _running_for_applicant(app, row.term, row.met_at is not None, actions)
    ]
    if terms:
        lines.append(gettext(locale, "Deadlines:"))
        lines += terms
    lines += _payment_lines(locale, app, env, payments)
    lines += _notice_lines(app, env, locale, notices)
    return "\n".join(lines)


def _next_step(app: Application, actions: ApplicantActions) -> str:
    if app.status is Status.PRELIMINARY_REFUSAL and not actions.may_object:
        return N_("The time to object has passed. The hearing and then the decision come next.")
    if app.status is Status.PROTOCOL_MADE and not actions.may_remark:
        return NEXT_STEP[Status.REMARKS_RECEIVED]
    return NEXT_STEP[app.status]


def _running_for_applicant(
    app: Application, term: Term, met: bool, actions: ApplicantActions
) -> bool:
    if term not in TERM_LINES or met or app.status not in LIVE_IN[term]:
        return False
    channel = ONLY_FOR_CHANNEL.get(term)
    if channel is not None and app.channel is not channel:
        return False
    acted_on = ACTED_ON.get(term)
    return acted_on is None or acted_on(actions)


def _hearing_lines(app: Application, env: CaseEnv, locale: str) -> list[str]:
    """The preliminary refusal's grounds while they are still to be decided on, and its hearing
    while it is ahead (or the day it was held)."""
    hearing = app.latest_hearing
    if hearing is None or app.status not in PENDING_HEARING:
        return []
    lines = [gettext(locale, "Grounds of the preliminary refusal:")]
    lines += [f"• {label(RefusalGround(g), locale)}" for g in hearing.refusal_grounds]
    if hearing.held_at is not None:
        held = format_day(hearing.held_at, locale, tz=env.district.timezone)
        lines.append(gettext(locale, "The hearing was held: {held}", held=held))
    elif hearing.scheduled_at > env.now():
        day, clock = day_and_time(hearing.scheduled_at, env.calendar.tz)
        lines.append(
            gettext(
                locale,
                "Hearing: {day} at {time}, {mode}",
                day=format_day(day, locale),
                time=clock,
                mode=label(hearing.mode, locale),
            )
        )
        if hearing.details:
            lines.append(hearing.details)
    return lines


def _payment_lines(
    locale: str, app: Application, env: CaseEnv, payments: PaymentOutlook | None
) -> list[str]:
    lines = []
    if payments is not None and payments.next is not None and not app.iban:
        # Nothing is paid without an account (DR §23): ask for it rather than promise a date.
        lines.append(
            gettext(
                locale,
                "To pay you, the department needs your bank account number (IBAN). Bring it to "
                "the department: {address}, tel. {phone}.",
                address=getattr(env.district.provider.address, locale),
                phone=env.district.provider.phone,
            )
        )
    elif payments is not None and payments.next is not None:
        entry = payments.next
        lines.append(
            gettext(
                locale,
                "Next payment: {month}, {amount}",
                month=format_month(entry.payment_month, locale),
                amount=format_tenge(entry.amount, locale),
            )
        )
    if payments is not None and payments.last is not None and payments.last.paid_on:
        lines.append(
            gettext(
                locale,
                "Last payment: {day}, {amount}",
                day=format_day(payments.last.paid_on, locale),
                amount=format_tenge(payments.last.amount, locale),
            )
        )
    return lines


def _notice_lines(
    app: Application, env: CaseEnv, locale: str, notices: Sequence[Notice]
) -> list[str]:
    """Each notice once, titled in `locale`: its title is rendered again, not read from the row
    (which keeps the language it was sent in)."""
    if not notices:
        return []
    lines = [gettext(locale, "Notices sent:")]
    for group in _by_notice(notices):
        first = group[0]
        moment = first.handed_over_at or first.sent_at or first.created_at
        channels = ", ".join(
            gettext(locale, CHANNEL_WORDS[c]) for c in dict.fromkeys(n.channel for n in group)
        )
        day = format_day(moment, locale, tz=env.district.timezone)
        lines.append(f"• {_title(app, env, first, locale)}: {day}, {channels}")
    return lines


def _title(app: Application, env: CaseEnv, notice: Notice, locale: str) -> str:
    if notice.locale == locale:
        return notice.title
    facts = facts_for(
        app, env.district, dict(notice.payload), objection_due=None, name="", today=env.today()
    )
    return render(notice.kind, facts, locale).title


def _by_notice(rows: Sequence[Notice]) -> list[list[Notice]]:
    """The outbox rows of one notice (its SMS and its chat message) together, in order."""
    groups: dict[tuple[object, ...], list[Notice]] = {}
    for row in rows:
        groups.setdefault((row.kind, row.broadcast_id, row.created_at), []).append(row)
    return list(groups.values())
