"""SMS through Twilio's Messages API, on the official library's async HTTP client.

`KOMEK_TWILIO_API_BASE` points the client at another base URL (a local fake in tests and the
benchmark, a proxy in staging). Each message carries a StatusCallback URL naming its notice, so
a delivery receipt finds its row even if it arrives before the worker recorded the message SID.

`find_sent` answers reconciliation from Twilio's Messages list: the messages to the recipient
sent on or after the claim's day, matched on body and time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any, ClassVar
from urllib.parse import urlencode

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from casework.law.notices import NoticeChannel
from casework.system.settings import Settings
from gateway.providers.base import (
    Limiter,
    Outcome,
    Outgoing,
    Provider,
    RateLimiter,
    SendResult,
    describe,
)
from gateway.sms import segments

# The library logs every request's parameters at INFO, phone numbers included: keep it quiet.
_http_log = logging.getLogger("komek.twilio.http")
_http_log.setLevel(logging.WARNING)

# Errors that will not go away by retrying: invalid/unreachable/opted-out/landline numbers,
# carrier violations (https://www.twilio.com/docs/api/errors).
PERMANENT_CODES = frozenset({21211, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007})
TRANSIENT_CODES = frozenset({20429, 20500, 20503, 30001, 30008})


class _TimedHttpClient(AsyncTwilioHttpClient):
    """The library's client with its time limit on every request (the library passes none, and
    aiohttp's own timer is cheaper than wrapping each send in asyncio.timeout), and its form
    encoded here: the same bytes aiohttp would send, at a quarter of a send's CPU less. Handed
    a dict, aiohttp first fails to find a payload type for it, then builds a multipart writer
    with a random boundary it never uses, and only then encodes the form."""

    async def request(
        self,
        *args: Any,
        data: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        body = urlencode(list(data.items()), doseq=True).encode() if data else None
        return await super().request(
            *args,
            data=body,
            timeout=timeout or self.timeout,
            **kwargs,
        )

    # The library formats every line of its request log before the logger drops it.
    def log_request(self, kwargs: dict[str, Any]) -> None:
        if self.logger.isEnabledFor(logging.INFO):
            super().log_request(kwargs)

    def log_response(self, status_code: int, response: Any) -> None:
        if self.logger.isEnabledFor(logging.INFO):
            super().log_response(status_code, response)


def classify(status: int, code: int | None) -> Outcome:
    if code in PERMANENT_CODES:
        return Outcome.PERMANENT
    if code in TRANSIENT_CODES or status == 429 or status >= 500:
        return Outcome.TRANSIENT
    if status in (401, 403):
        return Outcome.TRANSIENT  # our credentials, not the recipient: retry, then print
    return Outcome.PERMANENT


def status_callback_url(public_url: str | None, notice_id: int) -> str | None:
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/twilio/status?notice={notice_id}"


class TwilioProvider(Provider):
    name: ClassVar[str] = "twilio"
    channel = NoticeChannel.SMS
    STATUSES: ClassVar[Mapping[str, Outcome]] = {
        "accepted": Outcome.ACCEPTED,
        "scheduled": Outcome.ACCEPTED,
        "queued": Outcome.ACCEPTED,
        "sending": Outcome.ACCEPTED,
        "sent": Outcome.ACCEPTED,
        "delivered": Outcome.DELIVERED,
        "read": Outcome.DELIVERED,
        "undelivered": Outcome.PERMANENT,
        "failed": Outcome.PERMANENT,
        "canceled": Outcome.PERMANENT,
    }

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_: str | None = None,
        messaging_service_sid: str | None = None,
        api_base: str | None = None,
        public_url: str | None = None,
        rate_per_second: float = 10.0,
        timeout: float = 15.0,
    ) -> None:
        if not from_ and not messaging_service_sid:
            raise ValueError("Twilio needs KOMEK_TWILIO_FROM or KOMEK_TWILIO_MESSAGING_SERVICE_SID")
        self.account_sid, self._token = account_sid, auth_token
        self.api_base, self.public_url, self.timeout = api_base, public_url, timeout
        self.limiter: Limiter = RateLimiter(rate_per_second)  # build_providers may share it
        # Every message's sender and where it is posted (the Messages resource, REST API 2010).
        self._sender: dict[str, str] = (
            {"MessagingServiceSid": messaging_service_sid}
            if messaging_service_sid
            else {"From": from_ or ""}
        )
        self._messages_uri = f"/Accounts/{account_sid}/Messages.json"
        self._client: Client | None = None
        self._http: AsyncTwilioHttpClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioProvider:
        assert settings.twilio_account_sid and settings.twilio_auth_token
        return cls(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            from_=settings.twilio_from,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            api_base=settings.twilio_api_base,
            public_url=settings.public_url,
            rate_per_second=settings.twilio_rate_per_second,
            timeout=settings.twilio_timeout_seconds,
        )

    @property
    def client(self) -> Client:
        # Built on first use: aiohttp's session belongs to the running event loop.
        if self._client is None:
            self._http = _TimedHttpClient(logger=_http_log, timeout=self.timeout)
            self._client = Client(self.account_sid, self._token, http_client=self._http)
            if self.api_base:
                self._client.api.base_url = self.api_base
        return self._client

    async def pace(self, message: Outgoing) -> None:
        _ = self.client  # built before the slot, not between the slot and the request
        await self.limiter.wait()

    async def send(self, message: Outgoing) -> SendResult:
        # In the library's order, so Twilio gets the very bytes `messages.create_async` sends.
        form = {"To": message.address}
        if callback := status_callback_url(self.public_url, message.notice_id):
            form["StatusCallback"] = callback
        form |= self._sender
        form["Body"] = message.text
        try:
            # Posted through the library's API version rather than `messages.create_async`: the
            # answer stays the JSON Twilio sent, of which three fields are read, instead of a
            # MessageInstance that converts all thirty (dates from RFC 2822): a tenth of a send.
            sent = await self.client.api.v2010.create_async("POST", self._messages_uri, data=form)
        except TwilioRestException as exc:
            outcome = classify(exc.status, exc.code)
            if exc.status == 429 or exc.code == 20429:
                self.limiter.pause(1.0)
            # Twilio's error code ("21211"), or the HTTP status when it gave none.
            return SendResult(
                outcome,
                error_code=str(exc.code or exc.status),
                error_message=f"HTTP {exc.status}: {exc.msg or ''}".rstrip(": "),
            )
        except TimeoutError as exc:
            return SendResult(Outcome.TRANSIENT, error_code="timeout", error_message=describe(exc))
        except aiohttp.ClientConnectorError as exc:
            # No connection, so no request: Twilio cannot have the message (no reconciliation).
            return SendResult(Outcome.TRANSIENT, error_code="connect", error_message=describe(exc))
        except (aiohttp.ClientError, OSError) as exc:
            return SendResult(Outcome.TRANSIENT, error_code="network", error_message=describe(exc))
        status = str(sent.get("status") or "queued").lower()
        n = int(sent.get("num_segments") or 0) or segments(message.text)
        return SendResult(
            self.map_status(status) or Outcome.ACCEPTED,
            provider_id=sent.get("sid"),
            provider_status=status,
            segments=n,
            provider=self.name,
        )

    async def find_sent(self, message: Outgoing, since: datetime) -> SendResult | None:
        """The message to this number with this body that Twilio sent at or after `since`.

        Twilio's DateSent filter compares GMT days, not moments (`>=YYYY-MM-DD`, the contract
        says): ask for the whole day of `since` and compare the times here. A message Twilio
        still queues has no date_sent yet; its date_created stands in. Raises (the library's
        TwilioException, a network error) when Twilio cannot answer now.
        """
        since = since.astimezone(UTC)
        day = datetime.combine(since.date(), time(0), UTC)
        listed = await self.client.messages.list_async(
            to=message.address, date_sent_after=day, page_size=100
        )
        body = message.text.strip()
        for m in listed:  # newest first
            at = m.date_sent or m.date_created
            if (m.body or "").strip() == body and at is not None and at >= since:
                status = (m.status or "queued").lower()
                return SendResult(
                    self.map_status(status) or Outcome.ACCEPTED,
                    provider_id=m.sid,
                    provider_status=status,
                    segments=int(m.num_segments or 0) or segments(message.text),
                    provider=self.name,
                )
        return None

    async def close(self) -> None:
        await self.limiter.close()  # a shared store's connections; another take reopens them
        if self._http is not None:
            await self._http.close()
