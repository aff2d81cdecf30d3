"""No input answers a 5xx: schemathesis fuzzes every operation of the OpenAPI document in-process,
as an administrator and as the least-privileged role, against a real SQLite database with a few
cases in it (ids 1-3 name real rows, so deeper paths are reached, not only 404s).

Schemathesis calls the app from its own event-loop thread, so the fuzz test is synchronous and
builds its own database: the async fixtures' engine belongs to pytest's loop. The inputs the issue
names (ids beyond the integer range, hearing steps with no hearing, NUL and lone surrogates) are
also checked by hand: tests/staff/test_bad_input.py, and the webhooks' below.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode
from sqlalchemy.pool import NullPool
from twilio.request_validator import RequestValidator

from bot.runner import WEBHOOK_PATH, TelegramService
from casework.law.district import load_district
from casework.law.roles import Role
from casework.steps.staff import add_staff
from casework.system.db import make_engine, make_sessionmaker, transaction
from casework.system.migrate import upgrade_engine
from casework.system.runtime import Runtime
from casework.system.settings import DEFAULT_DISTRICT_FILE, Settings
from gateway.app import create_app
from gateway.staff.rate_limits import TokenBuckets
from tests.bot.telegram import TOKEN as TELEGRAM_TOKEN
from tests.bot.telegram import FakeTelegram
from tests.fakes.clock import FixedClock
from tests.staff.conftest import Api, paper_application

# Small enough for the whole run to stay well under a minute on SQLite.
EXAMPLES = 5
# The administrator and the least-privileged role, as the issue asks; the secretary and the
# decision maker too, so the case steps are reached and not only refused.
ROLES = (Role.ADMINISTRATOR, Role.INTAKE_AKIM, Role.COMMISSION_SECRETARY, Role.DECISION_MAKER)
# Deactivating a staff member could switch off the fuzzer's own tokens half-way.
# /ready answers 503 by design while no delivery worker beats (tests/gateway/test_ready.py).
SKIPPED = {"POST /staff/members/{staff_id}/deactivation", "GET /ready"}
NOW = datetime(2026, 11, 16, 5, 0, tzinfo=UTC)


def _runtime(url: str, directory: Path) -> Runtime:
    engine = make_engine(url, poolclass=NullPool)  # no connection outlives its event loop
    return Runtime(
        settings=Settings(
            database_url=url, files_dir=directory / "files", redis_url=None, _env_file=None
        ),
        engine=engine,
        sessions=make_sessionmaker(engine),
        district=load_district(DEFAULT_DISTRICT_FILE),
        clock=FixedClock(NOW),
    )


async def _prepare(runtime: Runtime) -> dict[Role, str]:
    """Staff with a token each, and cases 1-3 at different steps for the fuzzer to find."""
    await upgrade_engine(runtime.engine)
    tokens = {}
    async with transaction(runtime.sessions) as session:
        for role in Role:
            _, tokens[role] = await add_staff(session, name=f"fuzz {role}", role=role, now=NOW)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://komek.test") as http:
        api = Api(http, tokens, runtime.sessions)
        await api.ok(Role.INTAKE_OFFICE, "/staff/applications", paper_application(1))
        await api.registered(2)
        await api.concluded((await api.registered(3))["id"])
    await runtime.engine.dispose()
    return tokens


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[schemathesis.Schema, dict[Role, str]]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite+aiosqlite:///{directory / 'komek.sqlite3'}"
    tokens = asyncio.run(_prepare(_runtime(url, directory)))
    app = create_app(runtime=_runtime(url, directory))  # used only from schemathesis' loop
    # The fuzzer is not what the rate limit is for: it would only see 429s after the burst.
    app.state.staff_limiter = TokenBuckets(per_minute=10**9, burst=10**9)
    return schemathesis.openapi.from_asgi("/openapi.json", app), tokens


def _server_errors(schema: schemathesis.Schema, tokens: dict[Role, str]) -> list[str]:
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue
        # Valid input and input the document says is invalid: neither may crash the service.
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                for role in ROLES:
                    response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
                    if response.status_code >= 500:
                        found.append(f"{role}: {response.status_code} {case.as_curl_command()}")

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (an operation without parameters)
                assert mode is GenerationMode.NEGATIVE
    return found


def test_no_operation_answers_a_server_error(
    fuzzed: tuple[schemathesis.Schema, dict[Role, str]],
) -> None:
    schema, tokens = fuzzed
    errors = _server_errors(schema, tokens)
    assert not errors, "\n".join(errors[:20])


# The inputs the issue names, each by hand as well: the fuzzer may not draw them.

START = {
    "message_id": 1,
    "date": 1_790_000_000,
    "chat": {"id": 4242, "type": "private"},
    "from": {"id": 4242, "is_bot": False, "first_name": "Әлия", "language_code": "kk"},
    "text": "/start",
}
MALFORMED_UPDATES = [
    b"not json",
    b"\xff\xfe",
    b"[1, 2]",
    b"null",
    b'{"update_id": "x"}',
    b'{"update_id": 1e400}',
    json.dumps({"update_id": 2**80, "message": START}).encode(),
    json.dumps({"update_id": -1, "message": START}).encode(),
    json.dumps({"update_id": 3, "message": {**START, "chat": None}}).encode(),
    json.dumps({"update_id": 4, "message": {**START, "text": "\ud800"}}).encode(),
    json.dumps({"update_id": 5, "message": {**START, "text": "9001\x000130"}}).encode(),
    json.dumps({"update_id": 6, "message": {**START, "date": 2**70}}).encode(),
    json.dumps({"update_id": 7, "callback_query": {"id": "1", "data": "notice:object:x"}}).encode(),
    json.dumps({"update_id": 8}).encode(),
]


async def test_a_malformed_telegram_update_is_never_a_server_error(runtime: Runtime) -> None:
    secret = "s3cret-from-setWebhook"
    rt = Runtime(
        settings=runtime.settings.model_copy(
            update={
                "bot_token": SecretStr(TELEGRAM_TOKEN),
                "telegram_webhook_secret": SecretStr(secret),
                "public_url": "https://komek.example.kz",
            }
        ),
        engine=runtime.engine,
        sessions=runtime.sessions,
        district=runtime.district,
        clock=runtime.clock,
    )
    service = TelegramService.from_runtime(rt, session=FakeTelegram())
    assert service is not None
    app = create_app(runtime=rt)
    app.state.telegram = service
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test",
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        ) as client:
            for body in MALFORMED_UPDATES:
                r = await client.post(WEBHOOK_PATH, content=body)
                # 400 for what is not an update at all; 200 for an update the bot shrugs off.
                assert r.status_code in (200, 400), (body, r.text)
    finally:
        await service.stop()


TWILIO_TOKEN, PUBLIC = "webhook-test-token", "https://komek.example.kz"


@pytest.mark.parametrize(
    ("notice", "status"),
    # Not a number: 422. A number no notice has: acknowledged and nothing changes.
    [
        ("abc", 422),
        ("1.5", 422),
        ("", 422),
        ("１２", 422),
        ("-1", 204),
        ("0", 204),
        (str(2**70), 204),
    ],
)
async def test_a_status_callback_with_a_notice_id_no_notice_has_is_never_a_5xx(
    runtime: Runtime, notice: str, status: int
) -> None:
    rt = Runtime(
        settings=runtime.settings.model_copy(
            update={
                "public_url": PUBLIC,
                "twilio_auth_token": SecretStr(TWILIO_TOKEN),
                "twilio_account_sid": "AC1",
            }
        ),
        engine=runtime.engine,
        sessions=runtime.sessions,
        district=runtime.district,
        clock=runtime.clock,
    )
    path = f"/twilio/status?notice={notice}"
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + path, form)
    transport = httpx.ASGITransport(app=create_app(runtime=rt))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == status, r.text
