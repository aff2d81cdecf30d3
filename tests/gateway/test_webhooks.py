"""Twilio's webhooks: only signed requests move anything; receipts never go backwards."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import httpx
from twilio.request_validator import RequestValidator

from casework.law.notices import NoticeChannel, NoticeStatus
from casework.law.status import Status
from casework.law.terms import Term
from casework.system.env import CaseEnv
from casework.texts.i18n import format_short_day
from gateway.providers.sandbox import SandboxProvider
from gateway.worker import Worker
from tests.builders import phone_for
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import PUBLIC, TOKEN, Cases


def signed(path: str, form: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC + path, form)}


async def _sent_sms(case_builder: Cases, env: CaseEnv, app_id: int):  # type: ignore[no-untyped-def]
    """Mark the app's notices as sent by Twilio (what the worker records)."""
    from casework.system.db import transaction
    from casework.tables.notices import Notice

    async with transaction(case_builder.sessions) as s:
        notices = [await s.get(Notice, n.id) for n in await case_builder.notices(app_id)]
        for n in notices:
            assert n is not None
            n.status, n.provider, n.provider_id = NoticeStatus.SENT, "twilio", f"SM{n.id:032x}"
    return await case_builder.notices(app_id)


async def test_signed_delivery_receipt_moves_status_and_notifies(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.granted(1)
    decision = (await _sent_sms(case_builder, env, app_id))[-1]
    path = f"/twilio/status?notice={decision.id}"
    form = {"MessageSid": decision.provider_id, "MessageStatus": "delivered"}
    r = await client.post(path, data=form, headers=signed(path, form))
    assert r.status_code == 204
    decision = (await case_builder.notices(app_id))[-1]
    assert decision.status is NoticeStatus.DELIVERED
    assert (await case_builder.application(app_id)).status is Status.NOTIFIED_GRANTED
    # A late "sent" receipt does not undo delivery.
    late = {"MessageSid": decision.provider_id, "MessageStatus": "sent"}
    r = await client.post(path, data=late, headers=signed(path, late))
    assert r.status_code == 204
    assert (await case_builder.notices(app_id))[-1].status is NoticeStatus.DELIVERED


async def test_unsigned_or_forged_receipts_are_refused(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.granted(1)
    decision = (await _sent_sms(case_builder, env, app_id))[-1]
    path = f"/twilio/status?notice={decision.id}"
    form = {"MessageSid": decision.provider_id, "MessageStatus": "undelivered"}
    assert (await client.post(path, data=form)).status_code == 403
    forged = signed(path, form, token="not-our-token")
    assert (await client.post(path, data=form, headers=forged)).status_code == 403
    # Signed for other content: the signature covers the parameters.
    other = signed(path, {**form, "MessageStatus": "delivered"})
    assert (await client.post(path, data=form, headers=other)).status_code == 403
    assert (await case_builder.notices(app_id))[-1].status is NoticeStatus.SENT
    assert (await case_builder.application(app_id)).status is Status.GRANTED


async def test_undelivered_falls_back_to_print(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.granted(1)
    decision = (await _sent_sms(case_builder, env, app_id))[-1]
    path = "/twilio/status"
    form = {
        "MessageSid": decision.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30005",
    }
    assert (await client.post(path, data=form, headers=signed(path, form))).status_code == 204
    decision = (await case_builder.notices(app_id))[-1]
    assert (decision.status, decision.channel) == (NoticeStatus.TO_PRINT, NoticeChannel.PRINT)
    assert decision.error_code == "30005"
    late = {"MessageSid": decision.provider_id, "MessageStatus": "delivered"}
    await client.post(path, data=late, headers=signed(path, late))
    assert (await case_builder.notices(app_id))[-1].status is NoticeStatus.TO_PRINT


_SIDS = itertools.count(1)


async def _inbound(client: httpx.AsyncClient, phone: str, body: str, sid: str | None = None) -> str:
    """One SMS as Twilio posts it; each a new message unless `sid` says it is the same one."""
    sid = sid or f"SM{next(_SIDS):032x}"
    form = {"From": phone, "To": "+15005550006", "Body": body, "MessageSid": sid}
    r = await client.post("/twilio/inbound", data=form, headers=signed("/twilio/inbound", form))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    return r.text


async def test_inbound_objection_inside_the_window_is_recorded(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.preliminary_refusal(1, locale="kk")
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: SandboxProvider()})
    await worker.drain()  # delivered: the objection window starts
    ask = await _inbound(client, phone_for(1), "ҚАРСЫЛЫҚ Мен келіспеймін, табысым азайды")
    assert "ИӘ деп жауап" in ask
    assert (await case_builder.application(app_id)).status is Status.PRELIMINARY_REFUSAL
    reply = await _inbound(client, phone_for(1), "Иә")
    assert "қарсылығыңыз тіркелді" in reply
    app = await case_builder.application(app_id)
    assert app.status is Status.OBJECTION_RECEIVED
    assert app.hearings[-1].objections[-1].via == "sms"


async def test_inbound_objection_too_late_gets_the_deadline(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await case_builder.preliminary_refusal(1, locale="ru")
    worker = Worker(case_builder.sessions, env, {NoticeChannel.SMS: SandboxProvider()})
    await worker.drain()
    clock.set(clock.now() + timedelta(days=7))
    reply = await _inbound(client, phone_for(1), "ВОЗРАЖЕНИЕ Не согласна с отказом")
    app = await case_builder.application(app_id)
    last_day = app.deadline(Term.OBJECTION)
    assert last_day is not None
    assert "Срок для возражения истёк" in reply and format_short_day(last_day) in reply
    assert app.status is Status.PRELIMINARY_REFUSAL


async def test_inbound_status_query(client: httpx.AsyncClient, case_builder: Cases) -> None:
    await case_builder.registered(1, locale="ru")
    reply = await _inbound(client, phone_for(1), "статус")
    assert "Заявление № " in reply and "Решение не позднее" in reply
    unknown = await _inbound(client, "+77017777777", "?")
    assert "бере алмаймыз" in unknown and "не можем сообщить" in unknown


async def test_inbound_unsigned_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/twilio/inbound", data={"From": "+77010000001", "Body": "?"})
    assert r.status_code == 403


async def _refusal_received(case_builder: Cases, env: CaseEnv, locale: str) -> int:
    """A preliminary refusal delivered by SMS to applicant 1: the objection window is open."""
    app_id = await case_builder.preliminary_refusal(1, locale=locale)
    await Worker(case_builder.sessions, env, {NoticeChannel.SMS: SandboxProvider()}).drain()
    return app_id


async def test_an_sms_with_a_nul_is_answered_and_stored_without_it(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await _refusal_received(case_builder, env, "kk")
    await _inbound(client, phone_for(1), "Қарсылық Келіспеймін\x00")
    reply = await _inbound(client, phone_for(1), "иә\x00")
    assert "қарсылығыңыз тіркелді" in reply
    objection = (await case_builder.application(app_id)).hearings[-1].objections[-1]
    assert objection.text == "Келіспеймін"


async def test_a_receipt_for_an_impossible_notice_id_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    path = f"/twilio/status?notice={2**40}"
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert (await client.post(path, data=form, headers=signed(path, form))).status_code == 204


async def test_a_replayed_sms_is_answered_alike_and_acted_on_once(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await _refusal_received(case_builder, env, "kk")
    ask, yes = "SM" + "ab" * 16, "SM" + "ac" * 16
    asked = [
        await _inbound(client, phone_for(1), "ҚАРСЫЛЫҚ Келіспеймін", sid=ask) for _ in range(10)
    ]
    replies = [await _inbound(client, phone_for(1), "ИӘ", sid=yes) for _ in range(10)]
    assert len(set(asked)) == 1 and len(set(replies)) == 1
    assert "қарсылығыңыз тіркелді" in replies[0]
    app = await case_builder.application(app_id)
    assert len(app.hearings[-1].objections) == 1
    # Another message from the same phone is a message of its own.
    await _inbound(client, phone_for(1), "ҚАРСЫЛЫҚ Тағы бір себеп")
    await _inbound(client, phone_for(1), "иә")
    assert len((await case_builder.application(app_id)).hearings[-1].objections) == 2


async def test_the_same_sms_delivered_twice_at_once_is_acted_on_once(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await _refusal_received(case_builder, env, "ru")
    ask, yes = "SM" + "cd" * 16, "SM" + "ce" * 16
    await asyncio.gather(
        *(_inbound(client, phone_for(1), "ВОЗРАЖЕНИЕ Не согласна", sid=ask) for _ in range(4))
    )
    replies = await asyncio.gather(
        *(_inbound(client, phone_for(1), "да", sid=yes) for _ in range(4))
    )
    assert len(set(replies)) == 1 and "возражение" in replies[0].lower()
    assert len((await case_builder.application(app_id)).hearings[-1].objections) == 1
