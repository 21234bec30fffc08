"""The env's signing material, read from its one Secrets Manager secret and cached per container.

The cache expires after a TTL. A failed verification may force one re-read, so that a secret
set moments ago verifies on its first delivery. A re-read that finds nothing new holds off
further forced re-reads for a few seconds, so a flood of forgeries cannot turn into a flood of
Secrets Manager calls.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from webhook_signatures import ProviderConfig, material

REFRESH_HOLD_OFF_S = 2.0

# fetch() -> (version id, secret string)
SecretFetcher = Callable[[], "tuple[str, str]"]


class SecretsUnavailable(Exception):
    """The secret could not be read (and no earlier copy is cached)."""


class ProviderSecrets:
    def __init__(self, fetch: SecretFetcher, settings_for: Callable[[str], dict[str, Any]], ttl_s: float, *,
                 clock: Callable[[], float] = time.monotonic, hold_off_s: float = REFRESH_HOLD_OFF_S) -> None:
        self._fetch = fetch
        self._settings_for = settings_for
        self._ttl_s = ttl_s
        self._clock = clock
        self._hold_off_s = hold_off_s
        self._version: str | None = None
        self._document: dict[str, Any] = {}
        self._configs: dict[str, ProviderConfig] = {}
        self._expires_at = float("-inf")
        self._forced_refresh_after = float("-inf")
        self.reads = 0  # Secrets Manager reads by this container

    def config_for(self, provider: str) -> ProviderConfig:
        """The provider's verification material (empty when the secret has none: nothing verifies)."""
        if self._clock() >= self._expires_at:
            self._load_or_keep_stale()
        config = self._configs.get(provider)
        if config is None:
            entry = self._document.get(provider)
            if not isinstance(entry, dict):
                entry = None  # nothing (or nothing readable) for this provider: nothing verifies
            config = material.provider_config(provider, entry, self._settings_for(provider))
            self._configs[provider] = config
        return config

    def refresh_after_failure(self) -> bool:
        """Re-read the secret after a failed verification; True when its content changed."""
        now = self._clock()
        if now < self._forced_refresh_after:
            return False
        changed = self._load()
        if not changed:
            self._forced_refresh_after = now + self._hold_off_s
        return changed

    def _load_or_keep_stale(self) -> None:
        if self._version is None:
            self._load()
            return
        try:
            self._load()
        except SecretsUnavailable:
            # Keep verifying with the copy we have; try again after the hold-off, not on every request.
            self._expires_at = self._clock() + self._hold_off_s

    def _load(self) -> bool:
        try:
            version, text = self._fetch()
        except Exception as error:  # any client or network failure: the caller answers 503
            raise SecretsUnavailable(f"reading the provider secret failed: {type(error).__name__}") from error
        self.reads += 1
        self._expires_at = self._clock() + self._ttl_s
        if version == self._version:
            return False
        try:
            document = material.load_document(text)
        except ValueError as error:
            raise SecretsUnavailable(str(error)) from None
        self._version, self._document, self._configs = version, document, {}
        return True


def secrets_manager_fetcher(client: Any, secret_id: str) -> SecretFetcher:
    """fetch() for ProviderSecrets over a Secrets Manager client."""

    def fetch() -> tuple[str, str]:
        response = client.get_secret_value(SecretId=secret_id)
        return response.get("VersionId") or response["SecretString"], response["SecretString"]

    return fetch
