"""Console pages: hearing-invitation broadcasts with live counts, each recipient, and the resend.

The counts come from `casework.steps.broadcasts.broadcast_counts` (one bucket per recipient, so
they add up to the total); the page polls them with htmx every few seconds while anything is still
on its way, and the answer 286 stops the polling once nothing is (htmx's own signal), so an open
page does not keep a session alive for ever. When the counts moved, the answer says so
(`HX-Trigger: recipients-changed`) and the page draws its recipients again. "Send again to the
failed" is `broadcasts.resend_failed`: a recipient with a notice delivered or handed over is never
sent to twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from casework.law.errors import DomainError, NotFound
from casework.law.identity import mask_iin, mask_phone
from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.roles import Action
from casework.steps import broadcasts
from casework.steps.broadcast_views import Recipient, broadcast_recipients
from casework.system.runtime import Runtime
from casework.tables.notices import Notice
from casework.texts.i18n import N_, day_and_time, gettext
from gateway.console.errors import explain
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()

POLL_SECONDS = 2
STOP_POLLING = 286  # htmx stops an "every" trigger on this status (and still swaps the answer)

# ------------------------------------------------------------------ names staff read
# Notice kinds, statuses and channels have no names in casework.texts.labels; these are the
# console's (catalog: locales/*/LC_MESSAGES/console_notify.po).

KIND_NAMES: dict[str, str] = {
    NoticeKind.ACCEPTANCE_RECEIPT: N_("Acceptance receipt"),
    NoticeKind.REFUSAL_TO_ACCEPT: N_("Receipt of refusal to accept the application"),
    NoticeKind.PRELIMINARY_REFUSAL: N_("Preliminary decision and hearing"),
    NoticeKind.HEARING_INVITATION: N_("Invitation to a hearing"),
    NoticeKind.DECISION_GRANTED: N_("Decision to grant social assistance"),
    NoticeKind.DECISION_REFUSED: N_("Decision to refuse social assistance"),
    NoticeKind.TERMINATION: N_("Termination of social assistance"),
    NoticeKind.HOLIDAY_ASSISTANCE: N_("Holiday assistance"),
    NoticeKind.SIGNING_CODE: N_("Code to sign the application"),
    NoticeKind.LINK_CODE: N_("Code to link a Telegram account"),
    NoticeKind.PAYMENT_RETURNED: N_("A payment came back from the bank"),
    "protocol_ready": N_("The hearing protocol may be read"),
    "reminder": N_("Reminder to the applicant"),
    "question_answer": N_("Answer to the applicant's question"),
}

STATUS_NAMES: dict[str, str] = {
    NoticeStatus.QUEUED: N_("Waiting to be sent"),
    NoticeStatus.SENDING: N_("Being sent"),
    NoticeStatus.SENT: N_("Sent, delivery not yet confirmed"),
    NoticeStatus.DELIVERED: N_("Delivered"),
    NoticeStatus.TO_PRINT: N_("Waiting in the print queue"),
    NoticeStatus.HANDED_OVER: N_("Printed and handed over"),
    "withdrawn": N_("Withdrawn, not sent"),
}

CHANNEL_NAMES: dict[str, str] = {
    NoticeChannel.SMS: N_("SMS"),
    NoticeChannel.CHAT: N_("Telegram chat"),
    NoticeChannel.PRINT: N_("On paper"),
}

# The five counts, in the order shown, with what each means.
COUNT_NAMES: dict[str, str] = {
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "printed": N_("On paper"),
}
COUNT_HINTS: dict[str, str] = {
    "queued": N_("not yet with the SMS or Telegram service"),
    "sent": N_("with the service, delivery not yet confirmed"),
    "delivered": N_("reached the phone or the chat"),
    "failed": N_("SMS or chat failed for good: waiting in the print queue"),
    "printed": N_("no electronic channel: printed or waiting to be printed"),
}
assert list(COUNT_NAMES) == list(broadcasts.COUNT_KEYS)


def _named(table: dict[str, str], value: StrEnum | str, locale: str) -> str:
    message = table.get(str(value))
    return gettext(locale, message) if message else str(value)


def kind_name(kind: StrEnum | str, locale: str) -> str:
    return _named(KIND_NAMES, kind, locale)


def status_name(status: StrEnum | str, locale: str) -> str:
    return _named(STATUS_NAMES, status, locale)


def channel_name(channel: StrEnum | str, locale: str) -> str:
    return _named(CHANNEL_NAMES, channel, locale)


def when(console: Console, moment: datetime) -> tuple[date, str]:
    """A moment as the district's day and time ("09:30")."""
    runtime: Runtime = console.request.app.state.runtime
    return day_and_time(moment, runtime.district.zone)


# ------------------------------------------------------------------ views


@dataclass(frozen=True)
class RowView:
    channel: str
    status: str
    address: str | None  # the SMS number, masked
    failed: str | None  # the channel that failed for good, named
    failed_address: str | None  # the SMS number that failed, masked


def _phone(n: Notice, channel: NoticeChannel | None) -> str | None:
    if channel is not NoticeChannel.SMS or not n.address or not n.address.startswith("+"):
        return None
    return mask_phone(n.address)


@dataclass(frozen=True)
class RecipientView:
    application_id: int
    full_name: str
    iin: str  # masked
    state: str
    state_name: str
    rows: list[RowView]


def _recipient(r: Recipient, locale: str) -> RecipientView:
    return RecipientView(
        application_id=r.application_id,
        full_name=r.full_name,
        iin=mask_iin(r.iin),
        state=r.state,
        state_name=gettext(locale, COUNT_NAMES[r.state]),
        rows=[
            RowView(
                channel=channel_name(n.channel, locale),
                status=status_name(n.status, locale),
                address=_phone(n, n.channel),
                failed=channel_name(n.failed_channel, locale) if n.failed_channel else None,
                failed_address=_phone(n, n.failed_channel),
            )
            for n in r.notices
        ],
    )


def signature(counts: dict[str, int]) -> str:
    """The counts in a few characters: the page sends back the ones it shows, and hears when
    they changed (its recipients are drawn again then)."""
    return ".".join(str(counts[k]) for k in broadcasts.COUNT_KEYS)


def live(counts: dict[str, int]) -> bool:
    """Anything still on its way to a provider or awaiting its receipt."""
    return bool(counts["queued"] or counts["sent"])


def _counts_view(console: Console, counts: dict[str, int]) -> list[tuple[str, str, int, str]]:
    return [
        (key, console.t(COUNT_NAMES[key]), counts[key], console.t(COUNT_HINTS[key]))
        for key in broadcasts.COUNT_KEYS
    ]


_NO_BROADCAST = N_("There is no such broadcast. It may have been typed wrongly in the address.")


def _not_found(console: Console) -> HTMLResponse:
    return console.page("error.html", 404, message=_NO_BROADCAST)


# ------------------------------------------------------------------ pages


@router.get("/broadcasts", response_class=HTMLResponse)
async def broadcast_list(console: ConsoleDep, session: SessionDep) -> Response:
    console.require(Action.BROADCAST)
    rows = []
    for b in await broadcasts.recent_broadcasts(session):
        day, time = when(console, b.created_at)
        counts = await broadcasts.broadcast_counts(session, b.id)
        rows.append(
            {
                "id": b.id,
                "kind": kind_name(b.kind, console.locale),
                "day": day,
                "time": time,
                "by": b.created_by,
                "total": b.total,
                "counts": counts,
            }
        )
    return console.page("broadcasts.html", broadcasts=rows, keys=broadcasts.COUNT_KEYS)


@router.get("/broadcasts/{broadcast_id}", response_class=HTMLResponse)
async def broadcast_page(
    console: ConsoleDep, session: SessionDep, broadcast_id: int, resent: str | None = None
) -> Response:
    console.require(Action.BROADCAST)
    try:
        b = await broadcasts.get_broadcast(session, broadcast_id)
    except NotFound:
        return _not_found(console)
    counts = await broadcasts.broadcast_counts(session, b.id)
    recipients = [_recipient(r, console.locale) for r in await broadcast_recipients(session, b.id)]
    day, time = when(console, b.created_at)
    return console.page(
        "broadcast.html",
        broadcast=b,
        kind=kind_name(b.kind, console.locale),
        started_on=day,
        time=time,
        counts=counts,
        shown=_counts_view(console, counts),
        live=live(counts),
        seen=signature(counts),
        poll=POLL_SECONDS,
        recipients=recipients,
        resent=int(resent) if resent and resent.isdigit() and len(resent) < 10 else None,
    )


@router.get("/broadcasts/{broadcast_id}/counts", response_class=HTMLResponse)
async def broadcast_counts(
    console: ConsoleDep, session: SessionDep, broadcast_id: int, seen: str | None = None
) -> Response:
    """The counts alone, for the page's polling: 204 while they are those the page shows
    (`seen`: nothing swapped, nothing re-announced), else the new ones with the event
    `recipients-changed`; 286 once nothing is on its way any more (the polling stops)."""
    console.require(Action.BROADCAST)
    try:
        b = await broadcasts.get_broadcast(session, broadcast_id)
    except NotFound:
        return _not_found(console)
    counts = await broadcasts.broadcast_counts(session, b.id)
    still = live(counts)
    polled = console.request.headers.get("HX-Request") == "true"
    now = signature(counts)
    if polled and seen == now:
        return Response(status_code=204)  # unchanged: htmx keeps what it shows, and polls on
    page = console.page(
        "_broadcast_counts.html",
        STOP_POLLING if polled and not still else 200,
        broadcast=b,
        counts=counts,
        shown=_counts_view(console, counts),
        live=still,
        seen=now,
        poll=POLL_SECONDS,
    )
    if seen is not None and seen != now:
        page.headers["HX-Trigger"] = "recipients-changed"
    return page


@router.get("/broadcasts/{broadcast_id}/recipients", response_class=HTMLResponse)
async def recipients_part(console: ConsoleDep, session: SessionDep, broadcast_id: int) -> Response:
    """Every recipient and where their notice is, for the page to draw again."""
    console.require(Action.BROADCAST)
    try:
        rows = await broadcast_recipients(session, broadcast_id)
    except NotFound:
        return _not_found(console)
    recipients = [_recipient(r, console.locale) for r in rows]
    return console.page("_broadcast_recipients.html", recipients=recipients)


@router.post("/broadcasts/{broadcast_id}/resend")
async def resend_failed(
    console: FormDep, session: SessionDep, env: EnvDep, broadcast_id: int
) -> Response:
    """Send again to the failed recipients only; the delivered are not sent to twice."""
    console.require(Action.BROADCAST)
    try:
        resent = await broadcasts.resend_failed(
            session, env, broadcast_id, actor=console.staff.name
        )
    except NotFound:
        return _not_found(console)
    except DomainError as exc:
        return console.page("error.html", 409, message=explain(exc, console.locale))
    return see_other(f"/console/broadcasts/{broadcast_id}?resent={resent}")
