"""Shopify: `X-Shopify-Hmac-Sha256`, base64 HMAC-SHA256 of the raw body.

A real delivery also carries the shop, the API version, when it was triggered and the event id
(shopify.dev, "Deliver webhooks through HTTPS": the headers of a webhook request); Shopify's own
validators require the shop domain and API version, so `sign` sends them all.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from webhook_signatures import hmac_sha256
from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request
from webhook_signatures.scheme import Checks

SIGNATURE = "X-Shopify-Hmac-Sha256"
WEBHOOK_ID = "X-Shopify-Webhook-Id"
EVENT_ID = "X-Shopify-Event-Id"
TOPIC = "X-Shopify-Topic"
SHOP_DOMAIN = "X-Shopify-Shop-Domain"
API_VERSION = "X-Shopify-API-Version"
TRIGGERED_AT = "X-Shopify-Triggered-At"
TEST_TOPIC = "orders/create"
TEST_SHOP_DOMAIN = "webhookctl-test.myshopify.com"
TEST_API_VERSION = "2025-10"


class ShopifyScheme:
    provider = "shopify"

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        header = request.header(SIGNATURE.lower())
        if not header:
            raise SignatureInvalid(f"missing {SIGNATURE} header")
        secrets = hmac_sha256.require_secrets(config.secrets, self.provider)
        expected = [hmac_sha256.b64_digest(secret.encode(), request.body) for secret in secrets]
        if not hmac_sha256.any_match([hmac_sha256.as_bytes(header)], expected):
            raise SignatureInvalid("signature matches no Shopify secret")
        return self.identify(request)

    def identify(self, request: Request) -> Delivery:
        # X-Shopify-Webhook-Id is per delivery and stable across retries; the event id is the fallback.
        event_id = request.header(WEBHOOK_ID.lower()) or request.header(EVENT_ID.lower())
        return Delivery(
            event_id=request.id_or_body_hash(event_id),
            event_type=request.header(TOPIC.lower()) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        secret = hmac_sha256.require_secrets(config.secrets, self.provider)[0]
        return SignedDelivery(
            headers={
                SIGNATURE: hmac_sha256.b64_digest(secret.encode(), body).decode(),
                WEBHOOK_ID: msg_id or str(uuid.uuid4()),
                TOPIC: TEST_TOPIC,
                SHOP_DOMAIN: TEST_SHOP_DOMAIN,
                API_VERSION: TEST_API_VERSION,
                TRIGGERED_AT: datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                EVENT_ID: str(uuid.uuid4()),
            },
            body=body,
        )


SCHEME = ShopifyScheme()
