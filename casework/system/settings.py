"""The one settings class: every knob comes from the environment with the prefix KOMEK_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DISTRICT_FILE = (
    Path(__file__).resolve().parents[1] / "law" / "districts" / "t_ryskulov.toml"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOMEK_", env_file=".env", extra="ignore")

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
    mcdb_url: str | None = None

    @field_validator("bot_token", "twilio_auth_token", "telegram_webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None


@lru_cache
def get_settings() -> Settings:
    return Settings()
