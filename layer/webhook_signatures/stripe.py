"""Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=...]`, HMAC-SHA256 of "{t}.{body}" keyed by the whole whsec_ string."""

from __future__ import annotations

from webhook_signatures import hmac_sha256
from webhook_signatures.clock import check_tolerance
from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request, id_text
from webhook_signatures.scheme import Checks

HEADER = "Stripe-Signature"
_HEADER = HEADER.lower()


def parse_header(value: str) -> tuple[int, list[bytes]]:
    """The timestamp and every v1 signature; other schemes (v0, ...) are ignored as Stripe does."""
    timestamp: int | None = None
    signatures: list[bytes] = []
    for item in value.split(","):
        key, _, text = item.strip().partition("=")
        if key == "t":
            if not (text.isascii() and text.isdigit()) or len(text) > 12:  # int() refuses "²"
                raise SignatureInvalid("Stripe-Signature has a malformed timestamp")
            timestamp = int(text)
        elif key == "v1" and text:
            signatures.append(hmac_sha256.as_bytes(text))
    if timestamp is None:
        raise SignatureInvalid("Stripe-Signature has no timestamp")
    if not signatures:
        raise SignatureInvalid("Stripe-Signature has no v1 signature")
    return timestamp, signatures


def _prefix(timestamp: int) -> bytes:
    """Signed content is "{t}.{body}"; the prefix is hashed first, so the body is never copied."""
    return b"%d." % timestamp


class StripeScheme:
    provider = "stripe"

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        header = request.header(_HEADER)
        if not header:
            raise SignatureInvalid("missing Stripe-Signature header")
        timestamp, provided = parse_header(header)
        prefix = _prefix(timestamp)
        secrets = hmac_sha256.require_secrets(config.secrets, self.provider)
        expected = [hmac_sha256.hex_digest(secret.encode(), prefix, request.body) for secret in secrets]
        if not hmac_sha256.any_match(provided, expected):
            raise SignatureInvalid("no v1 signature matches a Stripe secret")
        check_tolerance(timestamp, checks.now, checks.tolerance_s)
        return self.identify(request)

    def identify(self, request: Request) -> Delivery:
        return Delivery(
            event_id=request.id_or_body_hash(request.body_field("id")),
            event_type=id_text(request.body_field("type")) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        secret = hmac_sha256.require_secrets(config.secrets, self.provider)[0]
        signature = hmac_sha256.hex_digest(secret.encode(), _prefix(at), body).decode()
        return SignedDelivery(headers={HEADER: f"t={at},v1={signature}"}, body=body)


SCHEME = StripeScheme()
