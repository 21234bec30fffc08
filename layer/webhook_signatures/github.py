"""GitHub: `X-Hub-Signature-256: sha256=<hex>` over the raw body; the id is X-GitHub-Delivery whatever the body."""

from __future__ import annotations

import uuid

from webhook_signatures import hmac_sha256
from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import MalformedBody, SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request
from webhook_signatures.scheme import Checks

SIGNATURE = "X-Hub-Signature-256"
DELIVERY = "X-GitHub-Delivery"
EVENT = "X-GitHub-Event"
_PREFIX = "sha256="


class GitHubScheme:
    provider = "github"

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        header = request.header(SIGNATURE.lower())
        if not header:
            raise SignatureInvalid(f"missing {SIGNATURE} header")
        header = header.strip()
        if not header.startswith(_PREFIX):
            raise SignatureInvalid(f"{SIGNATURE} does not start with sha256=")
        provided = hmac_sha256.as_bytes(header[len(_PREFIX):].lower())
        secrets = hmac_sha256.require_secrets(config.secrets, self.provider)
        expected = [hmac_sha256.hex_digest(secret.encode(), request.body) for secret in secrets]
        if not hmac_sha256.any_match([provided], expected):
            raise SignatureInvalid("signature matches no GitHub secret")
        return self.identify(request)

    def identify(self, request: Request) -> Delivery:
        # Headers only: a GitHub body need not be JSON (form-encoded deliveries exist).
        return Delivery(
            event_id=request.id_or_body_hash(request.header(DELIVERY.lower())),
            event_type=request.header(EVENT.lower()) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        secret = hmac_sha256.require_secrets(config.secrets, self.provider)[0]
        signature = hmac_sha256.hex_digest(secret.encode(), body).decode()
        event = _event_from_body(body)
        return SignedDelivery(
            headers={SIGNATURE: _PREFIX + signature, DELIVERY: msg_id or str(uuid.uuid4()), EVENT: event},
            body=body,
        )


def _event_from_body(body: bytes) -> str:
    """A plausible X-GitHub-Event for a signed test body: its "event" or "type" field, else "ping"."""
    request = Request({}, body)
    try:
        value = request.body_field("event") or request.body_field("type")
    except MalformedBody:
        value = None
    return value if isinstance(value, str) and value else "ping"


SCHEME = GitHubScheme()
