"""The case as its applicant reads it: where it is, what comes next, every deadline.

Pure text from the loaded case, so the bot's status screen and the staff API show the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from casework.law.notices import NoticeChannel
from casework.law.rules import DocumentKind, RefusalGround
from casework.law.status import Status
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


# What happens next, in the applicant's words, for every state of the case.
class PaymentOutlook(Protocol):
    """The next payment due and the last one paid (casework.steps.payments.Outlook)."""

    @property
    def next(self) -> PaymentEntry | None: ...

    @property
    def last(self) -> PaymentEntry | None: ...


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
    Status.NOTIFIED_REFUSED: N_("You may appeal the decision as the law allows."),
    Status.TERMINATED: N_("Payments have stopped."),
}


CHANNEL_WORDS: dict[NoticeChannel, str] = {
    NoticeChannel.SMS: N_("by SMS"),
    NoticeChannel.CHAT: N_("in this chat"),
    NoticeChannel.PRINT: N_("on paper at the office"),
}


def status_text(
    app: Application,
    env: CaseEnv,
    locale: str,
    *,
    notices: Sequence[Notice] = (),
    payments: PaymentOutlook | None = None,
) -> str:
    tz = env.district.timezone
    lines = [
        gettext(locale, "Application No. {number}", number=app.id),
        gettext(locale, "Status: {status}", status=label(app.status, locale)),
    ]
    if app.registered_on:
        lines.append(
            gettext(locale, "Registered on {day}", day=format_day(app.registered_on, locale))
        )
    lines.append(gettext(locale, "Next: {step}", step=gettext(locale, NEXT_STEP[app.status])))
    if app.status is Status.REFUSED_TO_ACCEPT and app.missing_documents:
        lines.append(gettext(locale, "Missing documents:"))
        lines += [f"• {label(DocumentKind(k), locale)}" for k in app.missing_documents]
    hearing = app.latest_hearing
    if hearing is not None and app.status is not Status.DRAFT:
        lines.append(gettext(locale, "Grounds of the preliminary refusal:"))
        lines += [f"• {label(RefusalGround(g), locale)}" for g in hearing.refusal_grounds]
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
    if app.deadlines:
        lines.append(gettext(locale, "Deadlines:"))
        for row in app.deadlines:
            mark = "✅" if row.met_at else "⏳"
            lines.append(f"{mark} {label(row.term, locale)}: {format_day(row.due_on, locale)}")
    if payments is not None and payments.next is not None and not app.iban:
        # Nothing is paid without an account (DR §23): ask for it rather than promise a date.
        lines.append(
            gettext(
                locale,
                "To pay you, the department needs your bank account number (IBAN): bring it "
                "to the department.",
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
    if notices:
        lines.append(gettext(locale, "Notices sent:"))
        for group in _by_notice(notices):
            first = group[0]
            moment = first.handed_over_at or first.sent_at or first.created_at
            channels = ", ".join(
                gettext(locale, CHANNEL_WORDS[c]) for c in dict.fromkeys(n.channel for n in group)
            )
            lines.append(f"• {first.title}: {format_day(moment, locale, tz=tz)}, {channels}")
    return "\n".join(lines)


def _by_notice(rows: Sequence[Notice]) -> list[list[Notice]]:
    """The outbox rows of one notice (its SMS and its chat message) together, in order."""
    groups: dict[tuple[object, ...], list[Notice]] = {}
    for row in rows:
        groups.setdefault((row.kind, row.broadcast_id, row.created_at), []).append(row)
    return list(groups.values())
