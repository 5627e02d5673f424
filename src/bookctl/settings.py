"""Configuration: one settings class, read from options, environment, config file, defaults.

Precedence: command-line option > ``BOOKCTL_*`` environment variable > ``bookctl.toml`` >
default. The config file is the first of ``--config PATH``, ``$BOOKCTL_CONFIG``,
``./bookctl.toml`` and the user config dir that exists.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bookctl.config_files import (  # noqa: F401 (part of this module's interface)
    CONFIG_FILENAME,
    default_database_url,
    find_config_file,
    user_config_file,
)
from bookctl.domain.errors import ValidationError
from bookctl.domain.timeparse import zone_name

# Secrets are never printed: `config show` masks these, and `safe_url` hides passwords in URLs.
SECRET_FIELDS = frozenset(
    {
        "secret_key",
        "api_token",
        "sendgrid_api_key",
        "postmark_server_token",
        "smtp_url",
        "caldav_password",
    }
)


class Settings(BaseSettings):
    """Every setting bookctl reads; field ``x`` is ``BOOKCTL_X`` and key ``x`` in the file."""

    model_config = SettingsConfigDict(env_prefix="BOOKCTL_", extra="forbid", frozen=True)

    database_url: str = Field(default_factory=default_database_url)
    timezone: str = "UTC"
    business_name: str = "bookctl"
    language: Literal["es", "en"] = "en"
    public_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    api_token: SecretStr | None = None
    cors_origins: str = ""
    email_provider: Literal["sendgrid", "postmark", "smtp", "file", "console"] = "file"
    email_from: str = "bookings@localhost"
    email_timeout: float = 10.0
    email_max_attempts: int = Field(default=10, ge=1)
    # send-reminders: parallel sends per run, rows per claim, and how long a claim lasts.
    email_workers: int = Field(default=8, ge=1, le=64)
    email_batch_size: int = Field(default=100, ge=1, le=10_000)
    email_lease_seconds: int = Field(default=600, ge=10)
    # Processes one send-reminders run may use for a large backlog (0: one per CPU).
    email_processes: int = Field(default=0, ge=0, le=32)
    outbox_dir: Path = Path("./outbox")
    templates_dir: Path | None = None
    feedback_delay_minutes: int = 120
    auto_complete: bool = True
    sendgrid_api_key: SecretStr | None = None
    sendgrid_api_url: str = "https://api.sendgrid.com"
    postmark_server_token: SecretStr | None = None
    postmark_api_url: str = "https://api.postmarkapp.com"
    smtp_url: SecretStr | None = None
    calendar_provider: Literal["caldav", "google", "none"] = "none"
    caldav_url: str | None = None
    caldav_username: str | None = None
    caldav_password: SecretStr | None = None
    caldav_calendar: str | None = None
    google_credentials: Path | None = None
    google_calendar_id: str = "primary"
    debug: bool = False

    # Set by load_settings, not by users: where the values came from.
    config_file: Path | None = Field(default=None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return zone_name(value)

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def cors_origin_list(self) -> list[str]:
        """``cors_origins`` split on commas."""
        return [item.strip() for item in self.cors_origins.split(",") if item.strip()]

    def secret(self, name: str) -> str | None:
        """The plain value of a secret field, for the code that needs it (never for display)."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else value


class _FileSource(PydanticBaseSettingsSource):
    """Values from the TOML config file, the lowest-priority source above the defaults."""

    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def read_config_file(path: Path) -> dict[str, Any]:
    """Keys of a config file, checked against the known settings."""
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValidationError(f"cannot read config file {path}: {error}") from None
    unknown = sorted(set(values) - set(Settings.model_fields) - {"config_file"})
    if unknown:
        raise ValidationError(f"unknown key {unknown[0]!r} in config file {path}")
    return values


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from options (``overrides``), environment, config file and defaults."""
    path = find_config_file(config)
    file_values = read_config_file(path) if path else {}

    class _Configured(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _FileSource(settings_cls, file_values))

    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        settings = _Configured(**given)
    except PydanticValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ValidationError(f"invalid setting {where}: {first['msg']}") from None
    return settings.model_copy(update={"config_file": path})


def safe_url(url: str) -> str:
    """A URL with any password replaced by ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}:***@{netloc[1]}"))


def display_values(settings: Settings) -> dict[str, Any]:
    """Every setting as shown by ``config show``: secrets masked, paths as text."""
    shown: dict[str, Any] = {}
    for name in Settings.model_fields:
        if name == "config_file":
            continue
        value = getattr(settings, name)
        if name in SECRET_FIELDS:
            shown[name] = "***" if value else None
        elif name == "database_url":
            shown[name] = safe_url(value)
        elif isinstance(value, Path):
            shown[name] = str(value)
        else:
            shown[name] = value
    return shown
