"""Signed deliveries for the soak: fresh events, provider re-deliveries, and forgeries.

Signing goes through webhook_signatures (what the receiver verifies with) and the env's own
secret document, like `send-test`. A re-delivery is what a provider sends when it retries:
the same event id and body, signed again with a fresh timestamp where the scheme has one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.soak.plan import STALE
from webhookctl.errors import WebhookctlError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.fixtures import Fixture, build_fixture
from webhookctl.operations.secret_document import read_secret_document
from webhookctl.operations.signed_fixtures import TIMESTAMPED, DeliverySigner, SignedTestDelivery, provider_settings


@dataclass(frozen=True)
class FreshEvent:
    """A first delivery, with the fixture kept so that it can be re-delivered."""

    fixture: Fixture
    delivery: SignedTestDelivery


class ProviderSigner:
    """Signs one provider's soak deliveries; reads the env's secret document once."""

    def __init__(self, deployment: Deployment, provider: str):
        from webhook_signatures import material

        self.provider = provider
        entry = read_secret_document(deployment).entries.get(provider)
        if not entry:
            raise WebhookctlError(
                f"env '{deployment.settings.env}' has no {provider} secret",
                hint=f"run: webhookctl secrets set {provider} --generate --env {deployment.settings.env}",
            )
        self._config = material.provider_config(provider, entry, provider_settings(deployment, provider))
        self._wrong_key = DeliverySigner(deployment, provider, invalid_signature=True)
        self._stale = DeliverySigner(deployment, provider, stale=True) if provider in TIMESTAMPED else None

    def fresh(self) -> FreshEvent:
        fixture = build_fixture(self.provider, None)
        return FreshEvent(fixture, self._sign(fixture))

    def redelivery(self, original: FreshEvent) -> SignedTestDelivery:
        delivery = self._sign(original.fixture)
        if delivery.event_key != original.delivery.event_key:
            raise WebhookctlError(f"a re-signed {self.provider} delivery changed its event id; it would not be a re-delivery")
        return delivery

    def forged(self, forgery: str) -> SignedTestDelivery:
        signer = self._stale if forgery == STALE and self._stale is not None else self._wrong_key
        return signer.build(None)

    def _sign(self, fixture: Fixture) -> SignedTestDelivery:
        import webhook_signatures

        signed = webhook_signatures.sign(self.provider, fixture.body, self._config, at=int(time.time()), msg_id=fixture.msg_id)
        headers = {"Content-Type": "application/json", "User-Agent": "webhookctl-soak", **signed.headers, **fixture.headers}
        return SignedTestDelivery(
            provider=self.provider,
            event_type=webhook_signatures.event_type(self.provider, headers, signed.body),
            event_id=webhook_signatures.event_id(self.provider, headers, signed.body),
            headers=headers,
            body=signed.body,
        )
