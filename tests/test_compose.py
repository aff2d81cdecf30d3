"""compose.yml, checked without Docker: valid against the Compose specification's JSON schema
(vendored as tests/compose-spec.json from github.com/compose-spec/compose-spec, schema/
compose-spec.json at commit 170098ba07d9, Apache-2.0), and holding what an operator relies on:
the schema upgraded once before anything connects, the service and the bot ready-checked, two
workers, every command one our CLI accepts. The images are not built here."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from gateway.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
KOMEK = ("migrate", "service", "worker-1", "worker-2", "bot")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yml").read_text(encoding="utf-8"))
    return loaded


def test_compose_file_follows_the_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "tests" / "compose-spec.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(compose)
    # The validator does find mistakes: a misspelt key is refused.
    broken = {**compose, "services": {**compose["services"], "redis": {"imag": "redis:7"}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_one_command_starts_the_whole_district(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", *KOMEK}
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("service", "worker-1", "worker-2", "bot"):
        depends = services[name]["depends_on"]
        # Nothing connects before the schema is up to date, or before its stores answer.
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    parser = build_parser()
    for name in KOMEK:
        args = parser.parse_args(services[name]["command"])  # a command our CLI knows
        if args.command == "serve":
            # The workers deliver; the schema is `migrate`'s: the web processes do neither.
            assert args.no_worker and args.no_migrate and args.host == "0.0.0.0"
    assert [services[w]["command"] for w in ("worker-1", "worker-2")] == [["worker"]] * 2


def test_the_environment_the_operator_needs(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in KOMEK:
        env = services[name]["environment"]
        assert env["KOMEK_DATABASE_URL"].startswith("postgresql+asyncpg://komek:")
        assert "@postgres:5432/komek" in env["KOMEK_DATABASE_URL"]
        assert env["KOMEK_REDIS_URL"] == "redis://redis:6379/0"
        # Everything else the operator sets (Twilio, SMPP, KOMEK_TELEGRAM_API_BASE, …) comes
        # from .env as written: no empty stand-in masks a setting's default.
        assert services[name]["env_file"] == ".env"
        assert all(value != "" for key, value in env.items() if key != "KOMEK_BOT_TOKEN")
    assert {services[w]["environment"]["KOMEK_WORKER_NAME"] for w in ("worker-1", "worker-2")} == {
        "worker-1",
        "worker-2",
    }
    # The bot runs in webhook mode: token, public URL and secret are required, not defaulted.
    bot = services["bot"]["environment"]
    for key in ("KOMEK_BOT_TOKEN", "KOMEK_PUBLIC_URL", "KOMEK_TELEGRAM_WEBHOOK_SECRET"):
        assert re.fullmatch(rf"\$\{{{key}:\?.+\}}", bot[key]), key
    # Workers deliver chat notices with .env's bot token; the staff service runs no second bot
    # (an empty token is no token: casework/system/settings.py).
    assert "KOMEK_BOT_TOKEN" not in services["worker-1"]["environment"]
    assert services["service"]["environment"]["KOMEK_BOT_TOKEN"] == ""
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )


def test_web_processes_are_checked_on_ready(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, port in (("service", "8000"), ("bot", "8001")):
        check = " ".join(services[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/ready" in check
        assert f"--port {port}" in shlex.join(services[name]["command"])


def test_the_image_holds_the_packages_and_runs_komek() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = re.findall(r"^COPY (\S+)", dockerfile, flags=re.M)
    for source in copied:
        for part in source.split():
            assert (ROOT / part).exists(), part
    assert {"casework", "gateway", "bot", "dialogs", "locales"} <= set(copied)
    assert 'ENTRYPOINT ["komek"]' in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, flags=re.M)  # not as root
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".env", "*.sqlite3"} <= set(ignored)  # no local state or secrets in it
