"""SMS over SMPP 3.4, the protocol Kazakhstan's operators and SMS aggregators speak, on smpp34.

One transceiver bind carries our submit_sm and the SMSC's deliver_sm receipts; the library keeps
the session alive (enquire_link, response timers). A dropped session is noticed by the receipt
listener (or by a failed submit) and the next send binds again.

Text goes as UCS-2 (data_coding 0x08), Kazakh and Russian alike. A long text is split into parts
of 67 UTF-16 units, each with a UDH concatenation header (one reference, parts in order). Each
part gets its own message id from the SMSC; the notice keeps the LAST part's id, because a
handset shows the message only once its last part arrived: that part's receipt says whether the
whole message did, and the other parts' receipts match no notice and change nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import ClassVar, NamedTuple

import smpp34

from casework.law.notices import NoticeChannel
from casework.steps.delivery import receive_receipt
from casework.system.db import transaction
from casework.system.runtime import Runtime
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

log = logging.getLogger(__name__)

UCS2 = 0x08
ESM_UDHI = 0x40  # short_message starts with a user data header
ESM_RECEIPT = 0x04  # deliver_sm carrying an SMSC delivery receipt
RECEIPT_REQUESTED = 0x01  # registered_delivery: a receipt on final success or failure
SINGLE_BYTES = 140  # one SMS: 70 UCS-2 characters
PART_BYTES = 134  # 140 less the 6-byte concatenation header: 67 characters
TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_MESSAGE_STATE = 0x0427
# message_state TLV values (SMPP 3.4 §5.3.2.35) as the receipt text words.
MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}

# command_status (SMPP 3.4 §5.1.3) → what it means for the notice. Throttling and a full queue
# pause every send; the recipient's address is wrong for good; our own configuration (source
# address, bind) is retried, like Twilio's 401: the recipient is not at fault. Codes not listed
# (vendor codes 0x400-0x4FF among them) are retried: the notice's legal term decides when to print.
ESME_RTHROTTLED, ESME_RMSGQFUL = 0x58, 0x14
COMMAND_STATUSES: Mapping[int, tuple[str, Outcome]] = {
    0x01: ("ESME_RINVMSGLEN", Outcome.PERMANENT),
    0x08: ("ESME_RSYSERR", Outcome.TRANSIENT),
    0x0A: ("ESME_RINVSRCADR", Outcome.TRANSIENT),
    0x0B: ("ESME_RINVDSTADR", Outcome.PERMANENT),
    0x04: ("ESME_RINVBNDSTS", Outcome.TRANSIENT),
    ESME_RMSGQFUL: ("ESME_RMSGQFUL", Outcome.TRANSIENT),
    0x45: ("ESME_RSUBMITFAIL", Outcome.TRANSIENT),
    0x50: ("ESME_RINVDSTTON", Outcome.PERMANENT),
    0x51: ("ESME_RINVDSTNPI", Outcome.PERMANENT),
    ESME_RTHROTTLED: ("ESME_RTHROTTLED", Outcome.TRANSIENT),
    0x61: ("ESME_RINVSCHED", Outcome.PERMANENT),
    0x62: ("ESME_RINVEXPIRY", Outcome.PERMANENT),
    0x64: ("ESME_RX_T_APPN", Outcome.TRANSIENT),
    0x65: ("ESME_RX_P_APPN", Outcome.PERMANENT),
    0x66: ("ESME_RX_R_APPN", Outcome.PERMANENT),
    0xFF: ("ESME_RUNKNOWNERR", Outcome.TRANSIENT),
}
THROTTLED = frozenset({ESME_RTHROTTLED, ESME_RMSGQFUL})

_RECEIPT_TEXT = re.compile(
    r"id:(?P<id>\S+).*?stat:(?P<stat>[A-Z]+)(?:.*?err:(?P<err>\w+))?", re.DOTALL | re.IGNORECASE
)


class Receipt(NamedTuple):
    provider_id: str  # the SMSC's message id, as submit_sm_resp gave it
    stat: str  # DELIVRD, UNDELIV, ...
    error_code: str | None
    notice_id: int | None  # when this process sent it (the receipt may overtake the record)


ReceiptSink = Callable[[Receipt], Awaitable[None]]


def ucs2_parts(text: str, reference: int) -> list[bytes]:
    """The text as UCS-2 short_message payloads: one without a header when it fits, else parts
    with the concatenation header (IEI 0x00: 8-bit reference, total, number). A character
    outside the BMP (two UTF-16 units) is never cut in half."""
    data = text.encode("utf-16-be")
    if len(data) <= SINGLE_BYTES:
        return [data]
    chunks: list[bytes] = []
    current = b""
    for char in text:
        unit = char.encode("utf-16-be")
        if len(current) + len(unit) > PART_BYTES:
            chunks.append(current)
            current = b""
        current += unit
    chunks.append(current)
    total = len(chunks)
    if total > 255:
        raise ValueError(f"text needs {total} parts; SMPP concatenation allows 255")
    return [bytes((5, 0x00, 3, reference, total, n)) + c for n, c in enumerate(chunks, 1)]


def parse_receipt(event: smpp34.DeliverSmEvent) -> tuple[str, str, str | None] | None:
    """(message id, stat, err) of a delivery receipt: from the TLVs when the SMSC sets them,
    else from the receipt text (SMPP 3.4 appendix B); None for an ordinary incoming SMS."""
    if not event.esm_class & ESM_RECEIPT:
        return None
    tlvs = {t.tag: t for t in event.tlvs}
    text = event.short_message.decode("latin-1", errors="replace")
    found = _RECEIPT_TEXT.search(text)
    mid = tlvs[TLV_RECEIPTED_MESSAGE_ID].as_string() if TLV_RECEIPTED_MESSAGE_ID in tlvs else None
    state = tlvs[TLV_MESSAGE_STATE].as_int() if TLV_MESSAGE_STATE in tlvs else None
    stat = MESSAGE_STATES.get(state) if state is not None else None
    mid = (mid or (found and found["id"]) or "").rstrip("\0")
    stat = stat or (found and found["stat"].upper()) or None
    if not mid or not stat:
        return None
    return mid, stat, found["err"] if found else None


def addressing(address: str) -> tuple[int, int]:
    """(TON, NPI) for an address: international E.164 digits, else alphanumeric (a sender name)."""
    return (1, 1) if address.lstrip("+").isdigit() else (5, 0)


class _Bounded(OrderedDict[object, object]):
    """A dict that forgets its oldest entries beyond `size` (a long-running process)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: object, value: object) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)


class SmppProvider(Provider):
    name: ClassVar[str] = "smpp"
    channel = NoticeChannel.SMS
    # Receipt `stat` words (lower case, as map_status looks them up) → our outcomes.
    STATUSES: ClassVar[Mapping[str, Outcome]] = {
        "enroute": Outcome.ACCEPTED,
        "acceptd": Outcome.ACCEPTED,
        "delivrd": Outcome.DELIVERED,
        "expired": Outcome.PERMANENT,
        "deleted": Outcome.PERMANENT,
        "undeliv": Outcome.PERMANENT,
        "rejectd": Outcome.PERMANENT,
    }
    THROTTLE_PAUSE = 1.0  # seconds every send waits after ESME_RTHROTTLED

    def __init__(
        self,
        host: str,
        port: int,
        system_id: str,
        password: str,
        *,
        source_addr: str,
        rate_per_second: float = 10.0,
        timeout: float = 15.0,
        on_receipt: ReceiptSink | None = None,
    ) -> None:
        self.host, self.port, self.system_id, self._password = host, port, system_id, password
        self.source_addr, self.timeout, self.on_receipt = source_addr, timeout, on_receipt
        self.limiter: Limiter = RateLimiter(rate_per_second)  # build_providers may share it
        self._client: smpp34.Client | None = None
        self._smsc: smpp34.Smsc | None = None
        self._listener: asyncio.Task[None] | None = None
        self._binding = asyncio.Lock()
        self._reference = random.randrange(256)
        # What this process sent: notice id → its result (find_sent), message id → notice id
        # (a receipt that overtakes the worker's record still finds its notice).
        self._sent: _Bounded = _Bounded(100_000)
        self._notice_of: _Bounded = _Bounded(100_000)
        self.binds = 0
        self._in_flight = 0  # sends waiting for submit_sm_resp
        self._early: dict[str, Receipt] = {}  # receipts that overtook their submit_sm_resp
        self._storing: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(
        cls, settings: Settings, on_receipt: ReceiptSink | None = None
    ) -> SmppProvider:
        assert settings.smpp_host and settings.smpp_system_id
        return cls(
            settings.smpp_host,
            settings.smpp_port,
            settings.smpp_system_id,
            settings.smpp_password.get_secret_value() if settings.smpp_password else "",
            source_addr=settings.smpp_source_addr or "",
            rate_per_second=settings.smpp_rate_per_second,
            on_receipt=on_receipt,
        )

    # ------------------------------------------------------------------ the session

    async def _session(self) -> smpp34.Smsc:
        async with self._binding:
            if self._smsc is None:
                client = smpp34.Client(
                    self.host,
                    self.port,
                    self.system_id,
                    self._password,
                    bind_type="TRX",
                    connect_timeout_ms=int(self.timeout * 1000),
                )
                async with asyncio.timeout(self.timeout):
                    smsc = await client.connect()
                self._client, self._smsc = client, smsc
                self.binds += 1
                self._listener = asyncio.create_task(self._listen(client, smsc))
                log.info("smpp bound to %s:%s as %s", self.host, self.port, self.system_id)
            return self._smsc

    async def _listen(self, client: smpp34.Client, smsc: smpp34.Smsc) -> None:
        """Read the SMSC's deliver_sm until the session ends, then let the next send rebind."""
        try:
            while not isinstance(event := await smsc.next(), smpp34.Disconnected):
                parsed = parse_receipt(event)
                if parsed is None or self.on_receipt is None:
                    continue  # an incoming SMS: answered over Twilio's webhook only, for now
                mid, stat, err = parsed
                notice_id = self._notice_of.get(mid)
                receipt = Receipt(mid, stat, err, notice_id if isinstance(notice_id, int) else None)
                if notice_id is None and self._in_flight:
                    # It may belong to a submit_sm whose answer our sender has not read yet
                    # (the SMSC answers, then reports at once): that sender hands it on.
                    self._early[mid] = receipt
                    asyncio.get_running_loop().call_later(self.timeout, self._unclaimed, mid)
                    continue
                await self._store(receipt)
        except smpp34.SmppError as exc:
            log.warning("smpp session ended: %s", describe(exc))
        finally:
            self._forget(smsc)
            with contextlib.suppress(smpp34.SmppError, OSError):
                await client.stop()

    async def _store(self, receipt: Receipt) -> None:
        assert self.on_receipt is not None
        try:
            await self.on_receipt(receipt)
        except Exception:  # one bad receipt must not stop the others
            log.exception("smpp receipt %s (%s) not recorded", receipt.provider_id, receipt.stat)

    def _hand_on(self, receipt: Receipt) -> None:
        task = asyncio.create_task(self._store(receipt))
        self._storing.add(task)
        task.add_done_callback(self._storing.discard)

    def _unclaimed(self, mid: str) -> None:
        """A receipt no sender claimed: an earlier process's message, found by its id."""
        receipt = self._early.pop(mid, None)
        if receipt is not None:
            self._hand_on(receipt)

    def _forget(self, smsc: smpp34.Smsc) -> None:
        if self._smsc is smsc:
            self._smsc = None
            log.warning(
                "smpp session to %s:%s lost; the next send binds again", self.host, self.port
            )

    # ------------------------------------------------------------------ sending

    async def pace(self, message: Outgoing) -> None:
        await self.limiter.wait()

    async def send(self, message: Outgoing) -> SendResult:
        self._reference = (self._reference + 1) % 256
        try:
            parts = ucs2_parts(message.text, self._reference)
        except ValueError as exc:  # longer than SMS can carry: no retry will fit it
            return self._result(Outcome.PERMANENT, error_code="too_long", error_message=str(exc))
        try:
            smsc = await self._session()
        except (smpp34.SmppError, OSError, TimeoutError) as exc:
            return self._result(Outcome.TRANSIENT, error_code="bind", error_message=describe(exc))
        self._in_flight += 1
        part_ids: list[str] = []
        try:
            result = await self._submit(smsc, message, parts, part_ids)
        finally:
            self._in_flight -= 1
        if result.outcome is Outcome.ACCEPTED:
            self._sent[message.notice_id] = result
            self._notice_of[result.provider_id] = message.notice_id
        # Receipts that came before their submit_sm_resp was read: the last part's is the
        # message's; the other parts' match no notice.
        for mid in part_ids:
            early = self._early.pop(mid, None)
            if early is not None and mid == result.provider_id:
                self._hand_on(early._replace(notice_id=message.notice_id))
        return result

    async def _submit(
        self, smsc: smpp34.Smsc, message: Outgoing, parts: list[bytes], part_ids: list[str]
    ) -> SendResult:
        """submit_sm for each part in order; `part_ids` gets the SMSC's ids as they come."""
        dest = message.address.lstrip("+")
        dest_ton, dest_npi = addressing(dest)
        src_ton, src_npi = addressing(self.source_addr)
        for part in parts:
            try:
                async with asyncio.timeout(self.timeout):
                    resp = await smsc.submit_sm(
                        dest,
                        part,
                        source_addr=self.source_addr,
                        source_addr_ton=src_ton,
                        source_addr_npi=src_npi,
                        dest_addr_ton=dest_ton,
                        dest_addr_npi=dest_npi,
                        esm_class=ESM_UDHI if len(parts) > 1 else 0,
                        data_coding=UCS2,
                        registered_delivery=RECEIPT_REQUESTED,
                    )
            except TimeoutError as exc:
                # The SMSC may have taken it without answering: the retry may duplicate it (see
                # find_sent). A session that stops answering is bound afresh.
                self._forget(smsc)
                return self._result(
                    Outcome.TRANSIENT, error_code="timeout", error_message=describe(exc)
                )
            except (smpp34.SmppError, OSError) as exc:  # the session died under us
                self._forget(smsc)
                return self._result(
                    Outcome.TRANSIENT, error_code="session", error_message=describe(exc)
                )
            if not resp.is_success:
                return self._refused(resp.command_status)
            part_ids.append(resp.message_id or "")
        return self._result(
            Outcome.ACCEPTED,
            provider_id=part_ids[-1],
            provider_status="accepted",
            segments=len(parts),
        )

    def _refused(self, status: int) -> SendResult:
        code, outcome = COMMAND_STATUSES.get(status, (f"0x{status:08X}", Outcome.TRANSIENT))
        retry_after = None
        if status in THROTTLED:
            self.limiter.pause(self.THROTTLE_PAUSE)  # the SMSC's limit holds for every send
            retry_after = self.THROTTLE_PAUSE
        return self._result(
            outcome,
            error_code=code,
            error_message=f"submit_sm refused: {code} (0x{status:08X})",
            retry_after=retry_after,
        )

    def _result(self, outcome: Outcome, **kw: object) -> SendResult:
        return SendResult(outcome, provider=self.name, **kw)  # type: ignore[arg-type]

    async def find_sent(self, message: Outgoing, since: datetime) -> SendResult | None:
        """The SMSC's answer, when this process got one (its message id is the only handle SMPP
        gives: there is no listing by recipient to search, and query_sm needs that id).

        None otherwise, which covers two cases: the SMSC never answered our submit_sm (a
        timeout, a dropped session) or another process sent it and died. In both the SMSC may
        still have taken the message, so the resend this None allows may deliver it twice:
        with SMPP a duplicate after a crash or timeout is possible, a lost notice is not."""
        found = self._sent.get(message.notice_id)
        return found if isinstance(found, SendResult) else None

    async def close(self) -> None:
        await self.limiter.close()  # a shared store's connections; another take reopens them
        smsc, self._smsc = self._smsc, None
        if smsc is not None:
            with contextlib.suppress(smpp34.SmppError, OSError, TimeoutError):
                async with asyncio.timeout(self.timeout):
                    await smsc.unbind()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._client is not None:
            with contextlib.suppress(smpp34.SmppError, OSError):
                await self._client.stop()
        if self._storing:  # receipts being recorded finish; early ones go with the process
            await asyncio.gather(*self._storing, return_exceptions=True)


def store_receipts(runtime: Runtime) -> ReceiptSink:
    """Receipts into the notice state machine, as Twilio's status webhook does."""

    async def store(receipt: Receipt) -> None:
        outcome = SmppProvider.STATUSES.get(receipt.stat.lower())
        if outcome is None:  # UNKNOWN and words an SMSC adds: nothing to do with them
            return
        async with transaction(runtime.sessions) as session:
            moved = await receive_receipt(
                session,
                await runtime.env(session),
                notice_id=receipt.notice_id,
                outcome=outcome,
                channel=NoticeChannel.SMS,
                provider=SmppProvider.name,
                provider_id=receipt.provider_id,
                provider_status=receipt.stat.lower(),
                error_code=receipt.error_code if receipt.error_code not in (None, "000") else None,
            )
        log.debug("smpp receipt %s %s: %s", receipt.provider_id, receipt.stat, moved)

    return store
