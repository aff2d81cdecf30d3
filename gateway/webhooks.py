"""Twilio webhooks: delivery receipts and inbound SMS, both signed with X-Twilio-Signature.

The signature is checked with the twilio library's RequestValidator against the public URL
(KOMEK_PUBLIC_URL): anything unsigned or forged gets 403 and changes nothing. Handlers are thin:
the notice's moves live in casework.steps.delivery, the replies in casework.steps.sms_replies.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from casework.law.notices import NoticeChannel
from casework.steps.delivery import receive_receipt
from casework.steps.sms_replies import answer_once
from casework.system.db import transaction
from casework.system.runtime import Runtime

router = APIRouter(prefix="/twilio", tags=["twilio"])


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


@router.post("/status")
async def status_callback(request: Request, notice: int | None = None) -> Response:
    from gateway.providers.twilio import TwilioProvider  # aiohttp and the client: not at start

    form = await verified_form(request)
    rt: Runtime = request.app.state.runtime
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = form.get("MessageStatus", "").lower()
    outcome = TwilioProvider.STATUSES.get(status)
    if outcome is None:  # a status word Twilio may add later: nothing to do with it yet
        return Response(status_code=204)
    async with transaction(rt.sessions) as session:
        await receive_receipt(
            session,
            await rt.env(session),
            notice_id=notice,
            outcome=outcome,
            channel=NoticeChannel.SMS,
            provider=TwilioProvider.name,
            provider_id=sid,
            provider_status=status,
            error_code=form.get("ErrorCode"),
        )
    return Response(status_code=204)


@router.post("/inbound")
async def inbound_sms(request: Request) -> Response:
    form = await verified_form(request)
    rt: Runtime = request.app.state.runtime
    async with transaction(rt.sessions) as session:
        text = await answer_once(
            session,
            await rt.env(session),
            provider="twilio",
            message_id=form.get("MessageSid") or form.get("SmsSid"),
            phone=form.get("From", ""),
            body=form.get("Body", ""),
        )
    reply = MessagingResponse()
    reply.message(text)
    return Response(content=str(reply), media_type="application/xml")
