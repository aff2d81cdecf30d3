"""The words of each reminder (law/reminders.py says when each is due; steps/reminders.py puts
the facts it speaks of in the payload: its code, and the day, the hearing or the documents).

A reminder is rendered on the working day it goes (`f.today`), so "today" and "tomorrow" are
true when it is read; the day itself is always written out as well. The chat text says what to
do; the SMS keeps the day and the step, and asks for СТОП only when two parts still hold it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from casework.law.reminders import Reminder
from casework.law.rules import DocumentKind, HearingMode
from casework.law.sms_commands import SHOWN, Command
from casework.texts.i18n import day_and_time, format_day, format_short_day, gettext
from casework.texts.labels import label
from casework.texts.words import NoticeFacts, Words, fit, lines


def _day(f: NoticeFacts) -> date:
    return date.fromisoformat(str(f.payload["day"]))


def _stop(loc: str) -> str:
    return gettext(loc, "Reply {word} if you do not want reminders.", word=SHOWN[Command.STOP][loc])


def _sms(loc: str, *candidates: str) -> str:
    """Each candidate with the СТОП line if two parts hold it, then without, fullest first."""
    return fit(*(f"{c} {_stop(loc)}" for c in candidates), *candidates)


def _objection_closes(f: NoticeFacts, loc: str) -> Words:
    day = _day(f)
    text = lines(
        gettext(
            loc,
            "Reminder: the time to object to the preliminary decision on your application "
            "No. {number} ends today.",
            number=f.number,
        )
        if day == f.today
        else gettext(
            loc,
            "Reminder: the time to object to the preliminary decision on your application "
            "No. {number} is running out.",
            number=f.number,
        ),
        gettext(loc, "Last day to object: {date}", date=format_day(day, loc)),
        gettext(
            loc,
            "You can object in writing or orally in the Telegram bot, by an SMS with the word "
            "{word} and your reason, or at the department.",
            word=SHOWN[Command.OBJECT][loc],
        ),
    )
    sms = _sms(
        loc,
        gettext(
            loc,
            "Application No. {number}: the last day to object to the preliminary decision is "
            "{date}. To object, reply {word} and your reason.",
            number=f.number,
            date=format_short_day(day),
            word=SHOWN[Command.OBJECT][loc],
        ),
    )
    return Words(gettext(loc, "Reminder: the last day to object"), text, sms)


def _hearing_soon(f: NoticeFacts, loc: str) -> Words:
    moment = datetime.fromisoformat(str(f.payload["at"]))
    day, clock = day_and_time(moment, f.district.zone)
    mode = label(HearingMode(f.payload["mode"]), loc)
    details = f.payload.get("details") or None
    n = f.number
    if day == f.today:
        when = gettext(
            loc, "Reminder: the hearing on your application No. {number} is today.", number=n
        )
    elif day == f.today + timedelta(days=1):
        when = gettext(
            loc, "Reminder: the hearing on your application No. {number} is tomorrow.", number=n
        )
    else:  # sent on the working day before: a Monday hearing is announced on Friday
        when = gettext(
            loc,
            "Reminder: the hearing on your application No. {number} is on the next working day.",
            number=n,
        )
    text = lines(
        when,
        gettext(
            loc,
            "Hearing: {date}, at {time}, {mode}.",
            date=format_day(day, loc),
            time=clock,
            mode=mode,
        ),
        gettext(loc, "Link or place: {details}", details=details) if details else None,
        gettext(loc, "At the hearing you can state your position on the preliminary decision."),
        gettext(loc, "If you cannot take part, please let the department know in advance."),
    )
    short = {"number": f.number, "date": format_short_day(day), "time": clock, "mode": mode}
    sms = _sms(
        loc,
        *(
            [
                gettext(
                    loc,
                    "Application No. {number}: hearing on {date} at {time}, {mode}: {details}",
                    details=details,
                    **short,
                )
            ]
            if details
            else []
        ),
        gettext(loc, "Application No. {number}: hearing on {date} at {time}, {mode}.", **short),
    )
    return Words(gettext(loc, "Reminder: your hearing"), text, sms)


def _protocol_unread(f: NoticeFacts, loc: str) -> Words:
    text = lines(
        gettext(
            loc,
            "Reminder: the protocol of the hearing on your application No. {number} is ready "
            "to read.",
            number=f.number,
        ),
        gettext(
            loc,
            "Read it in the Telegram bot or at the department. After reading, you may send "
            "remarks on it within 3 working days.",
        ),
        gettext(loc, "The decision on your application is made after that."),
    )
    sms = _sms(
        loc,
        gettext(
            loc,
            "Application No. {number}: the hearing protocol is ready. Read it in the Telegram "
            "bot or at the department. Tel. {phone}",
            number=f.number,
            phone=f.district.provider.compact_phone,
        ),
    )
    return Words(gettext(loc, "Reminder: the hearing protocol is ready to read"), text, sms)


def _remarks_close(f: NoticeFacts, loc: str) -> Words:
    day = _day(f)
    text = lines(
        gettext(
            loc,
            "Reminder: the time to send remarks on the protocol of the hearing on your "
            "application No. {number} ends today.",
            number=f.number,
        )
        if day == f.today
        else gettext(
            loc,
            "Reminder: the time to send remarks on the protocol of the hearing on your "
            "application No. {number} is running out.",
            number=f.number,
        ),
        gettext(loc, "Last day for remarks: {date}", date=format_day(day, loc)),
        gettext(
            loc,
            "You can read the protocol and send your remarks in the Telegram bot or at the "
            "department.",
        ),
    )
    sms = _sms(
        loc,
        gettext(
            loc,
            "Application No. {number}: the last day for remarks on the hearing protocol is "
            "{date}. In the Telegram bot or at the department, tel. {phone}",
            number=f.number,
            date=format_short_day(day),
            phone=f.district.provider.compact_phone,
        ),
    )
    return Words(gettext(loc, "Reminder: the last day for remarks on the protocol"), text, sms)


def _documents_missing(f: NoticeFacts, loc: str) -> Words:
    missing = [label(DocumentKind(k), loc) for k in f.payload.get("missing") or []]
    text = lines(
        gettext(
            loc,
            "Reminder: your application No. {number} is not finished yet.",
            number=f.number,
        ),
        "\n".join([gettext(loc, "Documents still missing:"), *(f"• {m}" for m in missing)])
        if missing
        else None,
        gettext(
            loc,
            "Send them in the Telegram bot: press the document, then send its photo or a PDF file.",
        ),
        gettext(loc, "The application is sent to the department only when it is finished."),
    )
    sms = _sms(
        loc,
        gettext(
            loc,
            "Application No. {number} is not finished: documents are missing ({documents}). "
            "Send them in the Telegram bot.",
            number=f.number,
            documents="; ".join(m.lower() for m in missing),
        ),
        gettext(
            loc,
            "Application No. {number} is not finished: documents are missing. Send them in the "
            "Telegram bot.",
            number=f.number,
        ),
    )
    return Words(gettext(loc, "Reminder: your application is not finished"), text, sms)


WORDS: dict[Reminder, Callable[[NoticeFacts, str], Words]] = {
    Reminder.OBJECTION_CLOSES: _objection_closes,
    Reminder.HEARING_SOON: _hearing_soon,
    Reminder.PROTOCOL_UNREAD: _protocol_unread,
    Reminder.REMARKS_CLOSE: _remarks_close,
    Reminder.DOCUMENTS_MISSING: _documents_missing,
}


def reminder(f: NoticeFacts, loc: str) -> Words:
    return WORDS[Reminder(f.payload["reminder"])](f, loc)
