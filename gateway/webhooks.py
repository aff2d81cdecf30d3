"""Twilio webhooks: delivery receipts and inbound SMS, both signed with X-Twilio-Signature.

The signature is checked with the twilio library's RequestValidator against the public URL
(KOMEK_PUBLIC_URL): anything unsigned or forged gets 403 and changes nothing. Handlers are thin:
the status rules live in `apply_status`, the case rules in casework.cases.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from casework import cases
from casework.cases import CaseEnv, LateError
from casework.db import transaction
from casework.deadlines import Term
from casework.i18n import format_short_day, gettext
from casework.labels import label
from casework.lifecycle import DomainError, Status
from casework.models import Applicant, Application
from casework.outbox import (
    FINAL_STATUSES,
    ChannelReason,
    Notice,
    NoticeChannel,
    NoticeStatus,
)
from casework.runtime import Runtime
from gateway.delivery import notice_reached
from gateway.providers.base import ERROR_CODE_LENGTH, Outcome
from gateway.providers.twilio import TwilioProvider

router = APIRouter(prefix="/twilio", tags=["twilio"])

# A reply that asks where the case is rather than objecting.
STATUS_WORDS = frozenset({"", "?", "status", "статус", "мәртебе", "күйі", "жағдайы", "қалай"})


async def verified_form(request: Request) -> dict[str, str]:
    settings = request.app.state.runtime.settings
    token = settings.twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature")
    if token is None or not settings.public_url or not signature:
        raise HTTPException(status_code=403, detail="signature required")
    form = {k: str(v) for k, v in (await request.form()).items()}
    url = settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    if not RequestValidator(token.get_secret_value()).validate(url, form, signature):
        raise HTTPException(status_code=403, detail="bad signature")
    return form


async def apply_status(
    session: AsyncSession,
    env: CaseEnv,
    notice: Notice,
    *,
    sid: str | None,
    status: str,
    error_code: str | None,
    at: datetime,
) -> bool:
    """Move the notice by a delivery receipt; False when the receipt is late or stale."""
    if notice.status in FINAL_STATUSES or notice.status is NoticeStatus.TO_PRINT:
        return False  # a late callback never overwrites a final state
    if notice.channel is not NoticeChannel.SMS or (
        sid and notice.provider_id and notice.provider_id != sid
    ):
        return False  # a receipt for an earlier message (before a resend)
    outcome = TwilioProvider.STATUSES.get(status.lower())
    if outcome is None:
        return False
    if notice.status is NoticeStatus.SENDING:
        # The receipt overtook the worker's write: take the row over from the claim.
        notice.provider_id, notice.provider, notice.claim_token = sid, TwilioProvider.name, None
        notice.sent_at = notice.sent_at or at
    notice.provider_status = status.lower()
    notice.updated_at = at
    if outcome is Outcome.ACCEPTED:
        if notice.status is NoticeStatus.QUEUED:
            return False
        notice.status = NoticeStatus.SENT
    elif outcome is Outcome.DELIVERED:
        notice.status, notice.delivered_at = NoticeStatus.DELIVERED, at
        await notice_reached(session, env, application_id=notice.application_id,
                             kind=notice.kind, at=at, via="sms")
    else:  # undelivered / failed: the law's fallback is print
        notice.status = NoticeStatus.TO_PRINT
        notice.channel, notice.failed_channel = NoticeChannel.PRINT, NoticeChannel.SMS
        notice.channel_reason = ChannelReason.SMS_FAILED
        notice.error_code = (error_code or "")[:ERROR_CODE_LENGTH] or None
    return True


@router.post("/status")
async def status_callback(request: Request, notice: int | None = None) -> Response:
    form = await verified_form(request)
    rt: Runtime = request.app.state.runtime
    sid = form.get("MessageSid") or form.get("SmsSid")
    async with transaction(rt.sessions) as session:
        env = await rt.env(session)
        row = None
        if notice is not None:
            row = await session.get(Notice, notice, with_for_update=True)
        elif sid:
            stmt = select(Notice).where(Notice.provider_id == sid).with_for_update()
            row = (await session.scalars(stmt)).first()
        if row is not None:
            await apply_status(
                session, env, row, sid=sid, status=form.get("MessageStatus", ""),
                error_code=form.get("ErrorCode"), at=env.now(),
            )
    return Response(status_code=204)


async def _latest_application(session: AsyncSession, phone: str) -> Application | None:
    stmt = (
        select(Application.id)
        .join(Applicant, Applicant.id == Application.applicant_id)
        .where(or_(Application.phone == phone, Applicant.phone == phone))
        .where(Application.status != Status.DRAFT)
        .order_by(Application.id.desc())
        .limit(1)
    )
    app_id = await session.scalar(stmt)
    return await cases.load_application(session, app_id, for_update=True) if app_id else None


def _status_reply(env: CaseEnv, app: Application, loc: str) -> str:
    text = gettext(loc, "Application No. {number}: {status}.", number=app.id,
                   status=label(app.status, loc))
    due = app.deadline(Term.DECISION)
    if due and app.status not in (Status.GRANTED, Status.REFUSED) and not app.decisions:
        text += " " + gettext(loc, "Decision by {decision}.", decision=format_short_day(due))
    return text


async def answer_sms(session: AsyncSession, env: CaseEnv, phone: str, body: str) -> str:
    """The reply to an applicant's SMS: an objection when one is open, else the case status."""
    app = await _latest_application(session, phone)
    if app is None:
        return " / ".join(
            gettext(loc, "We found no application for this number. Tel. {phone}",
                    phone=env.district.provider.phone)
            for loc in ("kk", "ru")
        )
    loc = app.applicant.locale
    if app.status in (Status.PRELIMINARY_REFUSAL, Status.OBJECTION_RECEIVED) and (
        body.strip().lower() not in STATUS_WORDS
    ):
        try:
            await cases.object_to_refusal(
                session, env, app, text=body.strip(), oral=False, via="sms", actor="applicant"
            )
        except LateError as exc:
            deadline = exc.params.get("deadline")
            return gettext(
                loc,
                "The time to object ended on {deadline}; your message was not recorded as an "
                "objection.",
                deadline=format_short_day(deadline) if deadline else "—",
            )
        except DomainError:
            return _status_reply(env, app, loc)
        return gettext(
            loc, "Your objection on application No. {number} has been recorded.", number=app.id
        )
    return _status_reply(env, app, loc)


@router.post("/inbound")
async def inbound_sms(request: Request) -> Response:
    form = await verified_form(request)
    rt: Runtime = request.app.state.runtime
    async with transaction(rt.sessions) as session:
        env = await rt.env(session)
        text = await answer_sms(session, env, form.get("From", ""), form.get("Body", ""))
    reply = MessagingResponse()
    reply.message(text)
    return Response(content=str(reply), media_type="application/xml")
