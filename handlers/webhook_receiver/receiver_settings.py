"""The receiver's settings, read once per container from the environment provisioning sets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping


class SettingsError(Exception):
    """A required environment variable is missing or malformed."""


@dataclass(frozen=True)
class ReceiverSettings:
    events_table: str
    processor_function: str
    secret_id: str
    max_body_bytes: int = 262144
    providers_enabled: frozenset[str] = frozenset()
    provider_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    webhook_url_base: str = ""
    secrets_ttl_s: float = 20.0
    duplicate_grace_s: float = 60.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "ReceiverSettings":
        try:
            provider_settings = json.loads(environ.get("PROVIDER_SETTINGS") or "{}")
        except ValueError as error:
            raise SettingsError(f"PROVIDER_SETTINGS is not JSON: {error}") from None
        if not isinstance(provider_settings, dict):
            raise SettingsError("PROVIDER_SETTINGS must be a JSON object")
        return cls(
            events_table=_required(environ, "EVENTS_TABLE"),
            processor_function=_required(environ, "PROCESSOR_FUNCTION"),
            secret_id=_required(environ, "SECRET_ID"),
            max_body_bytes=_number(environ, "MAX_BODY_BYTES", 262144, int),
            providers_enabled=_providers_enabled(environ),
            provider_settings=provider_settings,
            webhook_url_base=environ.get("WEBHOOK_URL_BASE", ""),
            secrets_ttl_s=_number(environ, "SECRETS_TTL_S", 20.0, float),
            duplicate_grace_s=_number(environ, "DUPLICATE_GRACE_S", 60.0, float),
        )

    def settings_for(self, provider: str) -> dict[str, Any]:
        """Non-secret settings of one provider; Square signs the URL it posts to, by default ours."""
        settings = dict(self.provider_settings.get(provider) or {})
        if provider == "square" and not settings.get("notification_url") and self.webhook_url_base:
            settings["notification_url"] = self.webhook_url_base + "square"
        return settings


def _providers_enabled(environ: Mapping[str, str]) -> frozenset[str]:
    """PROVIDERS_ENABLED as a set; when the variable is absent, every provider (the config default)."""
    text = environ.get("PROVIDERS_ENABLED")
    if text is None:
        from webhook_signatures import PROVIDERS

        return frozenset(PROVIDERS)
    return frozenset(name.strip() for name in text.split(",") if name.strip())


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise SettingsError(f"environment variable {name} is not set")
    return value


def _number(environ: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    text = environ.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise SettingsError(f"environment variable {name} is not a number: {text!r}") from None
    if value < 0:
        raise SettingsError(f"environment variable {name} must not be negative")
    return value
