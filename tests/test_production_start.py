"""KOMEK_ENVIRONMENT=production: no start on placeholder district values or the sandbox SMS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from casework.law.district import load_district
from casework.law.notices import NoticeChannel
from casework.system.settings import (
    DEFAULT_DISTRICT_FILE,
    NotReadyForProduction,
    Settings,
    refuse_unready,
)
from gateway import cli
from gateway.app import create_app
from gateway.providers import build_providers
from gateway.providers.sandbox import SandboxProvider
from gateway.providers.twilio import TwilioProvider

SHIPPED_PLACEHOLDERS = load_district(DEFAULT_DISTRICT_FILE).placeholders
NO_TWILIO: dict[str, Any] = {
    "twilio_account_sid": None,
    "twilio_auth_token": None,
    "twilio_from": None,
    "twilio_messaging_service_sid": None,
}
TWILIO: dict[str, Any] = {
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "secret",
    "twilio_from": "+77001234567",
}


def complete_district(tmp_path: Path) -> Path:
    """The shipped file with every placeholder entered: here, simply no [placeholders] table."""
    source = DEFAULT_DISTRICT_FILE.read_text(encoding="utf-8")
    path = tmp_path / "district.toml"
    path.write_text(source.split("\n[placeholders]\n", 1)[0], encoding="utf-8")
    return path


def make_settings(tmp_path: Path, **values: Any) -> Settings:
    values = {"environment": "production", **NO_TWILIO, **values}
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'komek.sqlite3'}",
        files_dir=tmp_path / "files",
        bot_token=None,
        _env_file=None,
        **values,
    )


def assert_names_everything(message: str) -> None:
    assert len(SHIPPED_PLACEHOLDERS) == 6
    for path in SHIPPED_PLACEHOLDERS:
        assert f"t_ryskulov.toml: {path} is still under [placeholders] (" in message
    assert "no SMS provider" in message
    assert "KOMEK_TWILIO_ACCOUNT_SID, KOMEK_TWILIO_AUTH_TOKEN" in message
    assert "KOMEK_TWILIO_FROM or KOMEK_TWILIO_MESSAGING_SERVICE_SID" in message


def test_the_app_factory_refuses_the_shipped_file_without_sms(tmp_path: Path) -> None:
    with pytest.raises(NotReadyForProduction) as exc:
        create_app(make_settings(tmp_path))
    assert len(exc.value.problems) == len(SHIPPED_PLACEHOLDERS) + 1
    assert_names_everything(str(exc.value))


@pytest.mark.parametrize("command", [["serve", "--port", "9"], ["worker"]])
def test_the_cli_prints_every_problem_and_exits(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(tmp_path))
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("komek: KOMEK_ENVIRONMENT=production refuses to start:\n")
    assert_names_everything(err)
    assert not (tmp_path / "komek.sqlite3").exists()  # stopped before touching the database


def test_komek_worker_reads_the_environment_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMEK_")}
    env |= {
        "KOMEK_ENVIRONMENT": "production",
        "KOMEK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'komek.sqlite3'}",
    }
    run = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "worker"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert_names_everything(run.stderr)


def test_each_kind_of_problem_alone(tmp_path: Path) -> None:
    with pytest.raises(NotReadyForProduction) as exc:
        refuse_unready(make_settings(tmp_path, **TWILIO))
    assert len(exc.value.problems) == len(SHIPPED_PLACEHOLDERS)
    assert "SMS" not in str(exc.value)

    complete = complete_district(tmp_path)
    with pytest.raises(NotReadyForProduction) as exc:
        refuse_unready(make_settings(tmp_path, district_file=complete, twilio_auth_token="x"))
    assert exc.value.problems == [
        "no SMS provider (the sandbox marks notices delivered without sending them): "
        "set KOMEK_TWILIO_ACCOUNT_SID, KOMEK_TWILIO_FROM or KOMEK_TWILIO_MESSAGING_SERVICE_SID"
    ]


async def test_a_complete_file_with_twilio_starts(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, district_file=complete_district(tmp_path), **TWILIO)
    refuse_unready(settings)
    assert isinstance(build_providers(settings)[NoticeChannel.SMS], TwilioProvider)
    app = create_app(settings)
    assert isinstance(app, FastAPI)
    async with app.router.lifespan_context(app):  # the runtime and the worker start
        assert app.state.runtime.district.placeholders == {}


def test_a_messaging_service_is_enough(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        district_file=complete_district(tmp_path),
        **{**TWILIO, "twilio_from": None, "twilio_messaging_service_sid": "MG" + "0" * 32},
    )
    refuse_unready(settings)


def test_providers_never_fall_back_to_the_sandbox_in_production(tmp_path: Path) -> None:
    with pytest.raises(NotReadyForProduction, match="no SMS provider"):
        build_providers(make_settings(tmp_path))


def test_development_is_unchanged(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, environment="development")
    refuse_unready(settings)
    assert isinstance(create_app(settings), FastAPI)
    assert isinstance(build_providers(settings)[NoticeChannel.SMS], SandboxProvider)


def test_the_environment_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOMEK_ENVIRONMENT", raising=False)
    assert Settings(_env_file=None).environment == "development"
    monkeypatch.setenv("KOMEK_ENVIRONMENT", "production")
    assert Settings(_env_file=None).environment == "production"
    monkeypatch.setenv("KOMEK_ENVIRONMENT", "prod")
    with pytest.raises(ValidationError, match="environment"):
        Settings(_env_file=None)
