"""Signed deliveries for the soak: fresh events, provider re-deliveries, and forgeries.

Signing goes through webhook_signatures (what the receiver verifies with) and the env's own
secret document, like `send-test`. A re-delivery is what a provider sends when it retries:
the same event id and body, signed again with a fresh timestamp where the scheme has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.soak.plan import STALE
from webhookctl.errors import WebhookctlError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.fixtures import Fixture, build_fixture
from webhookctl.operations.signed_fixtures import TIMESTAMPED, DeliverySigner, SignedTestDelivery


@dataclass(frozen=True)
class FreshEvent:
    """A first delivery, with the fixture kept so that it can be re-delivered."""

    fixture: Fixture
    delivery: SignedTestDelivery


class ProviderSigner:
    """Signs one provider's soak deliveries; reads the env's secret document once per signer."""

    def __init__(self, deployment: Deployment, provider: str):
        self.provider = provider
        self._genuine = DeliverySigner(deployment, provider, user_agent="webhookctl-soak")
        self._wrong_key = DeliverySigner(deployment, provider, invalid_signature=True, user_agent="webhookctl-soak")
        self._stale = DeliverySigner(deployment, provider, stale=True, user_agent="webhookctl-soak") if provider in TIMESTAMPED else None

    def fresh(self) -> FreshEvent:
        fixture = build_fixture(self.provider, None)
        return FreshEvent(fixture, self._genuine.sign(fixture))

    def redelivery(self, original: FreshEvent) -> SignedTestDelivery:
        delivery = self._genuine.sign(original.fixture)
        if delivery.event_key != original.delivery.event_key:
            raise WebhookctlError(f"a re-signed {self.provider} delivery changed its event id; it would not be a re-delivery")
        return delivery

    def forged(self, forgery: str) -> SignedTestDelivery:
        signer = self._stale if forgery == STALE and self._stale is not None else self._wrong_key
        return signer.build(None)
