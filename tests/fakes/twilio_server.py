"""A local stand-in for Twilio's Messages API: real HTTP on 127.0.0.1, scripted answers.

Requests are checked against the published contract (tests/contracts/twilio_api_v2010.json, the
CreateMessage operation): the AccountSid path pattern, basic auth, required and known parameters.
Responses follow Twilio's shapes, so the real `twilio` library parses them as it would in
production. Run alone for the benchmark: `python -m tests.fakes.twilio_server --port 0`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class FakeTwilio(LocalHttpServer):
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    contract: Contract | None = None
    latency: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    # Answers for the next requests, in order; when empty, messages are created (201).
    scripted: deque[Answer] = field(default_factory=deque)
    # Per-recipient answers that never run out (a dead number stays dead).
    by_number: dict[str, Answer] = field(default_factory=dict)

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
        self.requests.append({"path": request.path, "form": form, "headers": dict(request.headers)})
        if self.latency:
            await asyncio.sleep(self.latency)
        sid = request.match_info["sid"]
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if request.headers.get("Authorization") != expected or sid != self.account_sid:
            return self._error(401, 20003, "Authenticate")
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
            "date_created": "Mon, 16 Nov 2026 05:00:00 +0000",
            "date_updated": "Mon, 16 Nov 2026 05:00:00 +0000",
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{sid}/Messages/x.json",
            "subresource_uris": {},
        }
        self.messages.append({**message, "status_callback": form.get("StatusCallback")})
        return web.json_response(message, status=201)


async def _serve(port: int, latency: float) -> None:
    server = FakeTwilio(port=port, latency=latency)
    await server.start()
    print(server.port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.latency))
