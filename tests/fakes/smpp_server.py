"""A local SMSC for tests: SMPP 3.4 over TCP on 127.0.0.1, written at the protocol level.

It speaks the wire format itself (headers, bind_transceiver, enquire_link, unbind, submit_sm,
deliver_sm, generic_nack) and decodes submit_sm with the smpp34 codec, so the client under test
(the real library in gateway/providers/smpp.py) talks to an independent implementation. It
reassembles UDH-concatenated parts into whole messages, answers each part with its own message
id as real SMSCs do, sends a delivery receipt per part, and can be told to throttle, reject or
drop its sessions. Run alone: `python -m tests.fakes.smpp_server --port 0` (prints its address).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import struct
from collections import deque
from dataclasses import dataclass, field

import smpp34

BIND_TRANSCEIVER, BIND_TRANSCEIVER_RESP = 0x00000009, 0x80000009
SUBMIT_SM, SUBMIT_SM_RESP = 0x00000004, 0x80000004
DELIVER_SM, DELIVER_SM_RESP = 0x00000005, 0x80000005
ENQUIRE_LINK, ENQUIRE_LINK_RESP = 0x00000015, 0x80000015
UNBIND, UNBIND_RESP = 0x00000006, 0x80000006
GENERIC_NACK = 0x80000000

ESME_ROK = 0x00
ESME_RINVCMDID = 0x03
ESME_RBINDFAIL = 0x0D
ESME_RINVDSTADR = 0x0B
ESME_RTHROTTLED = 0x58
ESME_RSYSERR = 0x08

HEADER = struct.Struct(">IIII")


@dataclass
class Part:
    message_id: str
    destination: str
    ref: int | None
    total: int
    seq: int
    text: str


@dataclass
class Message:
    """A whole message as the handset would show it, with the ids of its parts in order."""

    destination: str
    source: str
    text: str
    data_coding: int
    registered_delivery: int
    part_ids: list[str]


@dataclass
class FakeSmsc:
    system_id: str = "komek"
    password: str = "secret"
    host: str = "127.0.0.1"
    port: int = 0
    receipt_stat: str = "DELIVRD"  # what every receipt says; None-like "" sends none
    receipt_delay: float = 0.0
    # Write the receipt before the submit_sm_resp: the order a client may see them in anyway,
    # when its library hands both to the event loop at once.
    receipt_first: bool = False
    parts: list[Part] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    binds: int = 0
    enquire_links: int = 0
    # command_status for the next submit_sm PDUs, in order; when empty, accepted.
    scripted: deque[int] = field(default_factory=deque)
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _pending: dict[tuple[str, int], list[Part]] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _seq: int = 0

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def script(self, *statuses: int) -> None:
        self.scripted.extend(statuses)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    def drop(self) -> None:
        """Cut every session, as a network fault or an SMSC restart would."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    # ------------------------------------------------------------------ the session

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        bound = False
        try:
            while True:
                head = await reader.readexactly(HEADER.size)
                length, command, _status, seq = HEADER.unpack(head)
                body = await reader.readexactly(length - HEADER.size)
                if command == BIND_TRANSCEIVER:
                    system_id, password = body.split(b"\0")[:2]
                    ok = (system_id.decode(), password.decode()) == (self.system_id, self.password)
                    bound = ok
                    self.binds += ok
                    status = ESME_ROK if ok else ESME_RBINDFAIL
                    self._send(writer, BIND_TRANSCEIVER_RESP, status, seq, b"FAKESMSC\0")
                elif command == ENQUIRE_LINK:
                    self.enquire_links += 1
                    self._send(writer, ENQUIRE_LINK_RESP, ESME_ROK, seq)
                elif command == UNBIND:
                    self._send(writer, UNBIND_RESP, ESME_ROK, seq)
                    break
                elif command == SUBMIT_SM and bound:
                    self._submit(writer, seq, head + body)
                elif command & 0x80000000:
                    continue  # the client's answers to our deliver_sm
                else:
                    self._send(writer, GENERIC_NACK, ESME_RINVCMDID, seq)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def _send(
        self, writer: asyncio.StreamWriter, command: int, status: int, seq: int, body: bytes = b""
    ) -> None:
        writer.write(HEADER.pack(HEADER.size + len(body), command, status, seq) + body)

    def _submit(self, writer: asyncio.StreamWriter, seq: int, pdu: bytes) -> None:
        sm = smpp34.decode(pdu)
        assert isinstance(sm, smpp34.SubmitSm)
        status = self.scripted.popleft() if self.scripted else ESME_ROK
        if status == ESME_ROK and not sm.destination_addr.lstrip("+").isdigit():
            status = ESME_RINVDSTADR
        if status != ESME_ROK:
            self._send(writer, SUBMIT_SM_RESP, status, seq)
            return
        message_id = secrets.token_hex(8)
        receipt = sm.registered_delivery & 0x01 and self.receipt_stat
        if receipt and self.receipt_first:
            writer.write(self._receipt_pdu(sm, message_id))
        self._send(writer, SUBMIT_SM_RESP, ESME_ROK, seq, message_id.encode() + b"\0")
        part = _part(sm, message_id)
        self.parts.append(part)
        self._reassemble(sm, part)
        if receipt and not self.receipt_first:
            task = asyncio.create_task(self._receipt(writer, sm, message_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _reassemble(self, sm: smpp34.SubmitSm, part: Part) -> None:
        if part.ref is None:
            parts = [part]
        else:
            key = (part.destination, part.ref)
            parts = self._pending.setdefault(key, [])
            parts.append(part)
            if len(parts) < part.total:
                return
            del self._pending[key]
            parts.sort(key=lambda p: p.seq)
        self.messages.append(
            Message(
                destination=sm.destination_addr,
                source=sm.source_addr,
                text="".join(p.text for p in parts),
                data_coding=sm.data_coding,
                registered_delivery=sm.registered_delivery,
                part_ids=[p.message_id for p in parts],
            )
        )

    async def _receipt(self, writer: asyncio.StreamWriter, sm: smpp34.SubmitSm, mid: str) -> None:
        await asyncio.sleep(self.receipt_delay)
        if not writer.is_closing():
            writer.write(self._receipt_pdu(sm, mid))

    def _receipt_pdu(self, sm: smpp34.SubmitSm, mid: str) -> bytes:
        text = f"id:{mid} sub:001 dlvrd:001 submit date:2611161000 done date:2611161000 "
        text += f"stat:{self.receipt_stat} err:000 text:"
        pdu = smpp34.DeliverSm(
            source_addr=sm.destination_addr,
            destination_addr=sm.source_addr,
            short_message=text.encode("ascii"),
            esm_class=0x04,  # an SMSC delivery receipt
            sequence_number=self._next_seq(),
        )
        return pdu.encode()

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


def _part(sm: smpp34.SubmitSm, message_id: str) -> Part:
    """One submit_sm's text and, when it carries a UDH (esm_class bit 0x40), its place."""
    data = sm.short_message
    ref, total, seq = None, 1, 1
    if sm.esm_class & 0x40:
        udh_len = data[0]
        udh, data = data[1 : 1 + udh_len], data[1 + udh_len :]
        i = 0
        while i < len(udh):
            iei, ie_len = udh[i], udh[i + 1]
            ie = udh[i + 2 : i + 2 + ie_len]
            if iei == 0x00:  # concatenated SM, 8-bit reference
                ref, total, seq = ie[0], ie[1], ie[2]
            elif iei == 0x08:  # 16-bit reference
                ref, total, seq = int.from_bytes(ie[:2], "big"), ie[2], ie[3]
            i += 2 + ie_len
    text = data.decode("utf-16-be") if sm.data_coding == 0x08 else data.decode("latin-1")
    return Part(message_id, sm.destination_addr, ref, total, seq, text)


async def _serve(port: int) -> None:
    smsc = FakeSmsc(port=port)
    await smsc.start()
    print(f"smpp://{smsc.system_id}:{smsc.password}@{smsc.host}:{smsc.port}", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.Event().wait()
    await smsc.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=2775)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args().port))
