"""Provider-name checks shared by the operations."""

from __future__ import annotations

from webhookctl.config import PROVIDERS, Settings
from webhookctl.errors import UsageError


def check_provider(provider: str, settings: Settings | None = None, *, option: str = "PROVIDER") -> str:
    """The provider name, or a UsageError (exit 2) naming the known ones."""
    if provider not in PROVIDERS:
        raise UsageError(f"unknown provider {provider!r} for {option}", hint="providers: " + ", ".join(PROVIDERS))
    if settings is not None and provider not in settings.providers_enabled:
        raise UsageError(
            f"provider {provider!r} is not enabled in this env",
            hint="enabled: " + ", ".join(settings.providers_enabled) + " (config key providers.enabled)",
        )
    return provider
