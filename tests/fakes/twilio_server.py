"""A local stand-in for Twilio's Messages API: real HTTP on 127.0.0.1, scripted answers.

Requests are checked against the published contract (tests/contracts/twilio_api_v2010.json, the
CreateMessage operation): the AccountSid path pattern, basic auth, required and known parameters.
Responses follow Twilio's shapes, so the real `twilio` library parses them as it would in
production. It also answers the Messages list (To and DateSent filters, Twilio's paging), which
reconciliation asks before a resend.

Run alone (the benchmark, the fault suite): `python -m tests.fakes.twilio_server --port 0
[--log PATH]`; it prints its URL. `--log` writes one JSON line per request (method, time, to,
body, sid, the notice id from the StatusCallback, the status answered). `POST /_control` with
`{"mode": "ok"|"down"|"slow", "delay": seconds, "status": 503}` changes its behaviour from
another process: "down" answers `status` to every API request, "slow" takes the message and
answers only after `delay` seconds (a client timeout that still reached Twilio).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import secrets
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aiohttp import web

from gateway.sms import segments
from tests.fakes.http_server import LocalHttpServer

# A copy of shared/peers/twilio_api_v2010.json (Twilio's official OpenAPI spec, MIT licence):
# tests read nothing outside the repository.
CONTRACT = Path(__file__).resolve().parents[1] / "contracts" / "twilio_api_v2010.json"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
_MESSAGES = "/2010-04-01/Accounts/{AccountSid}/Messages.json"


@dataclass(frozen=True)
class Contract:
    account_pattern: re.Pattern[str]
    known: frozenset[str]
    required: frozenset[str]

    @classmethod
    def load(cls, path: Path = CONTRACT) -> Contract:
        spec = json.loads(path.read_text())
        op = spec["paths"][_MESSAGES]["post"]
        sid = next(p for p in op["parameters"] if p["name"] == "AccountSid")
        body = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
        return cls(
            account_pattern=re.compile(sid["schema"]["pattern"]),
            known=frozenset(body["properties"]),
            required=frozenset(body.get("required", ())),
        )


@dataclass(frozen=True)
class Answer:
    status: int
    code: int | None = None
    delay: float = 0.0


def _rfc2822(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=False).replace("-0000", "+0000")


def _day(value: str) -> date:
    """DateSent filters compare GMT days, whatever time the caller adds: Twilio documents
    `YYYY-MM-DD`, and the library sends `2026-11-16T05:00:00Z`, of which only the day counts."""
    return date.fromisoformat(value.strip()[:10])


def _notice_id(callback: object) -> int | None:
    if not callback:
        return None
    ids = parse_qs(urlsplit(str(callback)).query).get("notice")
    return int(ids[0]) if ids and ids[0].isdigit() else None


@dataclass
class FakeTwilio(LocalHttpServer):
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    contract: Contract | None = None
    latency: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)  # every message POST
    lists: list[dict[str, str]] = field(default_factory=list)  # every Messages list query
    messages: list[dict[str, Any]] = field(default_factory=list)
    # Answers for the next requests, in order; when empty, messages are created (201).
    scripted: deque[Answer] = field(default_factory=deque)
    # Per-recipient answers that never run out (a dead number stays dead).
    by_number: dict[str, Answer] = field(default_factory=dict)
    # Run-time behaviour set by POST /_control: "ok", "down" (answer down_status), "slow".
    mode: str = "ok"
    down_status: int = 503
    slow_delay: float = 0.0
    # Where date_sent comes from (a test clock may stand in).
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    log: IO[str] | None = None

    def script(self, *answers: int | tuple[int, int] | Answer) -> None:
        for a in answers:
            if isinstance(a, Answer):
                self.scripted.append(a)
            elif isinstance(a, tuple):
                self.scripted.append(Answer(*a))
            else:
                self.scripted.append(Answer(a))

    async def start(self) -> None:
        if self.contract is None and CONTRACT.exists():
            self.contract = Contract.load()
        await super().start()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        router.add_get("/2010-04-01/Accounts/{sid}/Messages.json", self._list)
        router.add_post("/_control", self._control)

    def control(self, mode: str = "ok", delay: float = 0.0, status: int = 503) -> None:
        if mode not in ("ok", "down", "slow"):
            raise ValueError(f"unknown mode {mode!r}")
        self.mode, self.slow_delay, self.down_status = mode, float(delay), int(status)

    async def _control(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            self.control(body.get("mode", "ok"), body.get("delay", 0.0), body.get("status", 503))
        except (ValueError, TypeError, AttributeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"mode": self.mode, "delay": self.slow_delay})

    def _log(self, method: str, form: dict[str, Any], status: int, sid: str | None) -> None:
        if self.log is None:
            return
        line = {
            "method": method,
            "time": time.time(),
            "to": form.get("To"),
            "body": form.get("Body"),
            "sid": sid,
            "notice": _notice_id(form.get("StatusCallback")),
            "status": status,
        }
        self.log.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.log.flush()

    def _authorised(self, request: web.Request) -> bool:
        sid = request.match_info["sid"]
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        return request.headers.get("Authorization") == expected and sid == self.account_sid

    async def _list(self, request: web.Request) -> web.Response:
        """Twilio's Messages list: newest first, filtered by To and by GMT day of date_sent."""
        q = request.query
        self.lists.append(dict(q))
        if not self._authorised(request):
            response = self._error(401, 20003, "Authenticate")
        elif self.mode == "down":
            response = self._error(self.down_status, self.down_status, "service unavailable")
        else:
            response = self._page(request.path, q)
        self._log("GET", {"To": q.get("To")}, response.status, None)
        return response

    def _page(self, path: str, q: Any) -> web.Response:
        try:
            size = min(max(int(q.get("PageSize", 50)), 1), 1000)
            page = max(int(q.get("Page", 0)), 0)
            on = _day(q["DateSent"]) if "DateSent" in q else None
            after = _day(q["DateSent>"]) if "DateSent>" in q else None
            before = _day(q["DateSent<"]) if "DateSent<" in q else None
        except ValueError:
            return self._error(400, 20001, "Invalid DateSent or paging parameter")
        found = []
        for m in reversed(self.messages):
            day = m["_sent_at"].date()
            if q.get("To") and m["to"] != q["To"]:
                continue
            if (on and day != on) or (after and day < after) or (before and day > before):
                continue
            found.append({k: v for k, v in m.items() if not k.startswith("_")})
        # Twilio pages by an opaque token; here it is the index of the page's first message.
        start = int(q.get("PageToken", "PA0")[2:] or 0) if page else 0
        chunk = found[start : start + size]
        params = {k: v for k, v in q.items() if k not in ("Page", "PageToken", "PageSize")}

        def uri(n: int, token: int | None) -> str:
            extra = {"PageSize": size, "Page": n} | ({"PageToken": f"PA{token}"} if token else {})
            return f"{path}?{urlencode(params | extra)}"

        more = start + size < len(found)
        body = {
            "messages": chunk,
            "page": page,
            "page_size": size,
            "start": start,
            "end": start + len(chunk) - 1 if chunk else start,
            "uri": uri(page, start or None),
            "first_page_uri": uri(0, None),
            "next_page_uri": uri(page + 1, start + size) if more else None,
            "previous_page_uri": uri(page - 1, max(start - size, 0) or None) if page else None,
        }
        return web.json_response(body)

    def _error(self, status: int, code: int, message: str) -> web.Response:
        body = {
            "code": code,
            "message": message,
            "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
        }
        return web.json_response(body, status=status)

    async def _create(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        response = await self._answer_create(request, form)
        sid = json.loads(response.text or "{}").get("sid") if response.status == 201 else None
        self._log("POST", form, response.status, sid)
        return response

    async def _answer_create(self, request: web.Request, form: dict[str, Any]) -> web.Response:
        self.requests.append(
            {
                "path": request.path,
                "form": form,
                "headers": dict(request.headers),
                "body": await request.read(),  # as sent (aiohttp keeps it once read)
            }
        )
        if self.latency:
            await asyncio.sleep(self.latency)
        sid = request.match_info["sid"]
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        if self.mode == "down":
            return self._error(self.down_status, self.down_status, "service unavailable")
        if self.contract is not None:
            if not self.contract.account_pattern.match(sid):
                return self._error(404, 20404, "The requested resource was not found")
            unknown = set(form) - self.contract.known
            if unknown:
                return self._error(400, 21609, f"Unknown parameters: {sorted(unknown)}")
            missing = self.contract.required - set(form)
            if missing:
                return self._error(400, 21604, f"A 'To' phone number is required: {missing}")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return self._error(400, 21603, "A 'From' or 'MessagingServiceSid' is required")
        if not form.get("Body"):
            return self._error(400, 21602, "Message body is required")
        answer = self.by_number.get(str(form["To"])) or (
            self.scripted.popleft() if self.scripted else Answer(201)
        )
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.status != 201:
            return self._error(answer.status, answer.code or answer.status, "scripted failure")
        sent_at = self.now()
        message = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form["Body"],
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "status": "queued",
            "num_segments": str(segments(str(form["Body"]))),
            "num_media": "0",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "date_created": _rfc2822(sent_at),
            "date_updated": _rfc2822(sent_at),
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{sid}/Messages/x.json",
            "subresource_uris": {},
        }
        # Kept as the list shows it a moment later: handed to the carrier, date_sent set.
        self.messages.append(
            {
                **message,
                "status": "sent",
                "date_sent": _rfc2822(sent_at),
                "status_callback": form.get("StatusCallback"),
                "_sent_at": sent_at,
            }
        )
        if self.mode == "slow" and self.slow_delay:
            # Twilio took the message; its answer comes too late for the client.
            await asyncio.sleep(self.slow_delay)
        return web.json_response(message, status=201)


async def _serve(port: int, latency: float, log: str | None) -> None:
    out = open(log, "a", encoding="utf-8") if log else None  # noqa: SIM115 (lives as long as we do)
    server = FakeTwilio(port=port, latency=latency, log=out)
    await server.start()
    print(server.base_url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--log", help="append one JSON line per request to this file")
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args.port, args.latency, args.log))
    except KeyboardInterrupt:
        sys.exit(0)
