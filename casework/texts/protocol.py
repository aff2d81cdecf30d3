"""The message that the hearing's protocol is ready to read, with the remarks deadline (SR §15).

The applicant may give remarks within 3 working days of reading the protocol, so the message
names the last day for one who reads it the day it arrives (the payload's `remarks_due`, computed
from the terms when the protocol was made). The letter carries the protocol's own text, so a chat
message or a printed sheet is the protocol to read; the SMS says where to read it.
"""

from __future__ import annotations

from datetime import date

from casework.texts.i18n import format_day, gettext
from casework.texts.words import NoticeFacts, Words, lines

# A Telegram message holds 4096 characters; the greeting, the lines around the protocol and the
# department's footer need the rest. A longer protocol is read in the bot or at the department.
PROTOCOL_IN_MESSAGE = 3000


def _protocol_text(f: NoticeFacts) -> str | None:
    """The text of the protocol this message is about (a later preliminary refusal has a hearing
    of its own, without it)."""
    hearing = f.hearing
    if hearing is None or hearing.protocol is None:
        return None
    if f.payload.get("hearing_id") not in (None, hearing.id):
        return None
    return hearing.protocol.text


def protocol_ready(f: NoticeFacts, loc: str) -> Words:
    due = date.fromisoformat(str(f.payload["remarks_due"]))
    provider = f.district.provider
    protocol = _protocol_text(f)
    if protocol is not None and len(protocol) > PROTOCOL_IN_MESSAGE:
        body = gettext(
            loc,
            "The protocol is too long for this message: read it in the Telegram bot or at the "
            "department.",
        )
    elif protocol is not None:
        body = lines(gettext(loc, "The protocol:"), protocol)
    else:
        body = None
    text = lines(
        gettext(
            loc,
            "The protocol of the hearing on your application No. {number} is ready.",
            number=f.number,
        ),
        body,
        gettext(
            loc,
            "If you disagree with what is written, you may send remarks within 3 working days "
            "of reading the protocol. If you read it today, the last day is: {date}",
            date=format_day(due, loc),
        ),
        gettext(
            loc,
            "Send remarks in the Telegram bot or at the department: {address}, tel. {phone}.",
            address=getattr(provider.address, loc),
            phone=provider.phone,
        ),
    )
    # Read by SMS it is not read yet: the window runs from reading, so no day is named.
    sms = gettext(
        loc,
        "Application No. {number}: the hearing protocol is ready. Read it in the Telegram bot or "
        "at the department; remarks within 3 working days of reading. Tel. {phone}",
        number=f.number,
        phone=provider.compact_phone,
    )
    return Words(gettext(loc, "The hearing protocol is ready"), text, sms)
