"""Square: `x-square-hmacsha256-signature`, base64 HMAC-SHA256 of notification URL + raw body."""

from __future__ import annotations

from webhook_signatures import hmac_sha256
from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request, id_text
from webhook_signatures.scheme import Checks

SIGNATURE = "x-square-hmacsha256-signature"


def _notification_url(config: ProviderConfig) -> bytes:
    if not config.notification_url:
        raise SignatureInvalid("no Square notification URL configured")
    return config.notification_url.encode()


class SquareScheme:
    provider = "square"

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        header = request.header(SIGNATURE)
        if not header:
            raise SignatureInvalid(f"missing {SIGNATURE} header")
        url = _notification_url(config)
        secrets = hmac_sha256.require_secrets(config.secrets, self.provider)
        expected = [hmac_sha256.b64_digest(secret.encode(), url, request.body) for secret in secrets]
        if not hmac_sha256.any_match([hmac_sha256.as_bytes(header)], expected):
            raise SignatureInvalid("signature matches no Square secret for this notification URL")
        return self.identify(request)

    def identify(self, request: Request) -> Delivery:
        return Delivery(
            event_id=request.id_or_body_hash(request.body_field("event_id")),
            event_type=id_text(request.body_field("type")) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        secret = hmac_sha256.require_secrets(config.secrets, self.provider)[0]
        signature = hmac_sha256.b64_digest(secret.encode(), _notification_url(config), body).decode()
        return SignedDelivery(headers={SIGNATURE: signature}, body=body)


SCHEME = SquareScheme()
