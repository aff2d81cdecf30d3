"""The one settings class: every knob comes from the environment with the prefix KOMEK_."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from casework.law.district import District, load_district

DEFAULT_DISTRICT_FILE = (
    Path(__file__).resolve().parents[1] / "law" / "districts" / "t_ryskulov.toml"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOMEK_", env_file=".env", extra="ignore")

    # Production refuses to start on placeholder district values or the sandbox SMS.
    environment: Literal["development", "production"] = "development"
    # The embedded default: one SQLite file in the working directory, created on first start.
    database_url: str = "sqlite+aiosqlite:///komek.sqlite3"
    # The provider's time zone; unset means the district file's (Asia/Almaty for Zhambyl).
    timezone: str | None = None
    district_file: Path = DEFAULT_DISTRICT_FILE
    files_dir: Path = Path("var/files")

    # Outside services; empty means "not configured" and selects the embedded stand-in.
    bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    redis_url: str | None = None
    public_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base: str | None = None
    twilio_rate_per_second: float = 10.0
    # How long a send waits for Twilio's answer; one that times out is asked about before any
    # resend (the worker's reconciliation), never simply sent again.
    twilio_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    # A local Bot API server (https://github.com/tdlib/telegram-bot-api) instead of Telegram's.
    telegram_api_base: str | None = None
    telegram_rate_per_second: float = 30.0  # Telegram's limits: 30 messages/s in all,
    telegram_chat_rate_per_second: float = 1.0  # and 1/s in one chat
    # The second SMS provider: an SMPP 3.4 account at an operator or aggregator.
    smpp_host: str | None = None
    smpp_port: int = 2775
    smpp_system_id: str | None = None
    smpp_password: SecretStr | None = None
    smpp_source_addr: str | None = None
    smpp_rate_per_second: float = 10.0
    mcdb_url: str | None = None
    # This worker's name in leases and heartbeats; unset means host and process id.
    worker_name: str | None = None
    # How long a worker's claim on a notice holds unrenewed (it renews every third of it): a
    # dead worker's notices go to another worker this long after its last renewal at most.
    worker_lease_seconds: float = Field(default=30.0, ge=3, le=3600)
    # "json" for one JSON object per line (collectors), "text" for a terminal.
    log_format: Literal["json", "text"] = "text"

    @field_validator(
        "bot_token", "twilio_auth_token", "telegram_webhook_secret", "smpp_password", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    def missing_sms_settings(self) -> list[str]:
        """What Twilio still needs when SMPP is not configured either; while anything is
        missing, SMS go to the sandbox (dev only)."""
        if self.smpp_host and self.smpp_system_id:
            return []
        missing = [
            name
            for name, value in (
                ("KOMEK_TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                ("KOMEK_TWILIO_AUTH_TOKEN", self.twilio_auth_token),
            )
            if not value
        ]
        if not (self.twilio_from or self.twilio_messaging_service_sid):
            missing.append("KOMEK_TWILIO_FROM or KOMEK_TWILIO_MESSAGING_SERVICE_SID")
        return missing


class NotReadyForProduction(Exception):
    """A production start that would run on placeholders or the sandbox; names each problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"KOMEK_ENVIRONMENT=production refuses to start:\n{lines}")


def sms_problem(settings: Settings) -> str | None:
    missing = settings.missing_sms_settings()
    if not missing:
        return None
    return (
        "no SMS provider (the sandbox marks notices delivered without sending them): "
        f"set {', '.join(missing)}"
    )


def production_problems(settings: Settings, district: District) -> list[str]:
    """Everything that must be fixed before production: placeholder values, the sandbox SMS."""
    problems = [
        f"{settings.district_file.name}: {path} is still under [placeholders] ({why})"
        for path, why in district.placeholders.items()
    ]
    sms = sms_problem(settings)
    return [*problems, sms] if sms else problems


def refuse_unready(settings: Settings, district: District | None = None) -> None:
    """Called on every start path: in production, raise NotReadyForProduction naming each
    problem; in development, do nothing (the sandbox and the placeholders are for trying it)."""
    if settings.environment != "production":
        return
    problems = production_problems(settings, district or load_district(settings.district_file))
    if problems:
        raise NotReadyForProduction(problems)


def invalid_settings(exc: ValidationError) -> str:
    """Each bad setting by the variable an operator sets, and what it must be; never the value
    given, which may be a secret."""
    lines = [
        f"  - KOMEK_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
        for error in exc.errors()
    ]
    return "settings that cannot be used:\n" + "\n".join(lines)


@lru_cache
def get_settings() -> Settings:
    return Settings()
