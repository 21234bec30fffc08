"""Fixtures signed exactly as the provider would sign them, with the env's current secret.

Signing goes through webhook_signatures, the module the receiver verifies with, and
the event id is read back the way the receiver reads it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from webhookctl.errors import UsageError, WebhookctlError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.fixtures import Fixture, build_fixture
from webhookctl.operations.secret_document import read_secret_document

# Schemes that sign a timestamp and refuse old ones; only these can be sent --stale.
TIMESTAMPED = ("stripe", "standardwebhooks", "svix")
STALE_BY_S = 3600  # well past the receivers' 300 s tolerance


@dataclass(frozen=True)
class SignedTestDelivery:
    provider: str
    event_type: str
    event_id: str
    headers: dict[str, str]
    body: bytes

    @property
    def event_key(self) -> str:
        return f"{self.provider}#{self.event_id}"


class DeliverySigner:
    """Builds signed deliveries for one provider; reads the secret document once."""

    def __init__(self, deployment: Deployment, provider: str, *, invalid_signature: bool = False, stale: bool = False,
                 user_agent: str = "webhookctl-send-test"):
        from webhook_signatures import material

        if stale and provider not in TIMESTAMPED:
            raise UsageError(
                f"{provider} signatures carry no timestamp, so --stale cannot make one stale",
                hint="--stale applies to: " + ", ".join(TIMESTAMPED),
            )
        self.provider = provider
        self.stale = stale
        self.user_agent = user_agent
        entry = read_secret_document(deployment).entries.get(provider)
        if not entry:
            raise WebhookctlError(
                f"env '{deployment.settings.env}' has no {provider} secret",
                hint=f"run: webhookctl secrets set {provider} --generate --env {deployment.settings.env}",
            )
        settings = provider_settings(deployment, provider)
        if invalid_signature:
            # Fresh material the env has never seen: a real signature, by the wrong key.
            entry = material.generate(provider)
            if provider == "paypal":
                settings = {k: v for k, v in settings.items() if k != "certificates"}
        self._config = material.provider_config(provider, entry, settings)
        if provider == "paypal" and not self._config.signing_key:
            raise WebhookctlError(
                "the paypal entry has no signing key, so send-test cannot sign like PayPal",
                hint="generated test material can sign: webhookctl secrets set paypal --generate (non-production envs)",
            )

    def build(self, event_type: str | None) -> SignedTestDelivery:
        """A fresh fixture of `event_type` (or the provider's default), signed."""
        return self.sign(build_fixture(self.provider, event_type))

    def sign(self, fixture: Fixture) -> SignedTestDelivery:
        """`fixture` signed now (signing it again later is what a provider's re-delivery looks like)."""
        import webhook_signatures

        at = int(time.time()) - (STALE_BY_S if self.stale else 0)
        signed = webhook_signatures.sign(self.provider, fixture.body, self._config, at=at, msg_id=fixture.msg_id)
        # Fixture headers (topic, event name) are not signed; the signature's own headers are kept as signed.
        headers = {"Content-Type": "application/json", "User-Agent": self.user_agent, **signed.headers, **fixture.headers}
        return SignedTestDelivery(
            provider=self.provider,
            event_type=webhook_signatures.event_type(self.provider, headers, signed.body),
            event_id=webhook_signatures.event_id(self.provider, headers, signed.body),
            headers=headers,
            body=signed.body,
        )


def provider_settings(deployment: Deployment, provider: str) -> dict[str, Any]:
    """The receiver's non-secret settings for `provider`, as it was deployed (falling back to the config)."""
    env = _receiver_environment(deployment)
    try:
        deployed = json.loads(env.get("PROVIDER_SETTINGS") or "{}")
    except ValueError:
        deployed = {}
    settings = dict(deployed.get(provider) or {}) if isinstance(deployed, dict) else {}
    if provider == "square" and not settings.get("notification_url"):
        # The receiver's default: its own webhook URL.
        base = env.get("WEBHOOK_URL_BASE") or deployment.api_url + "/webhook/"
        settings["notification_url"] = deployment.settings.square_notification_url or base + "square"
    if provider == "paypal" and not settings.get("webhook_id") and deployment.settings.paypal_webhook_id:
        settings["webhook_id"] = deployment.settings.paypal_webhook_id
    return settings


def _receiver_environment(deployment: Deployment) -> dict[str, str]:
    try:
        return deployment.receiver_environment
    except WebhookctlError:
        raise
    except Exception:  # noqa: BLE001 - unreadable (e.g. no kms:Decrypt): use the config
        return {}
