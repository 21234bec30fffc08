"""Standard Webhooks (and Svix, the same scheme under `svix-*` headers).

Signed content is "{id}.{timestamp}.{body}". `webhook-signature` holds space-separated entries:
`v1,<base64 HMAC-SHA256>` keyed by a `whsec_<base64>` secret, or `v1a,<base64 Ed25519>` checked with a
`whpk_<base64>` public key or the public half of a `whsk_<base64>` signing key. Timestamps are
accepted within ±tolerance of now.
"""

from __future__ import annotations

import base64
import binascii
import functools
import uuid

from webhook_signatures import hmac_sha256
from webhook_signatures.clock import check_tolerance, parse_unix_timestamp
from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request, id_text
from webhook_signatures.scheme import Checks

HMAC_PREFIX = "whsec_"
SIGNING_KEY_PREFIX = "whsk_"
PUBLIC_KEY_PREFIX = "whpk_"
SECRET_PREFIXES = (HMAC_PREFIX, SIGNING_KEY_PREFIX, PUBLIC_KEY_PREFIX)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid(f"{what} is not valid base64") from None


@functools.lru_cache(maxsize=64)
def hmac_key(secret: str) -> bytes:
    """A whsec_ secret's key bytes (a bare base64 secret is accepted too, as the reference libraries do)."""
    return _b64(secret[len(HMAC_PREFIX):] if secret.startswith(HMAC_PREFIX) else secret, "a whsec_ secret")


@functools.lru_cache(maxsize=64)
def public_key_bytes(secret: str) -> bytes:
    """The raw 32-byte Ed25519 public key of a whpk_ key or a whsk_ signing key."""
    if secret.startswith(PUBLIC_KEY_PREFIX):
        raw = _b64(secret[len(PUBLIC_KEY_PREFIX):], "a whpk_ key")
        if len(raw) != 32:
            raise SignatureInvalid("a whpk_ key is not 32 bytes")
        return raw
    from cryptography.hazmat.primitives import serialization

    public = signing_key(secret).public_key()
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@functools.lru_cache(maxsize=64)
def signing_key(secret: str):
    """The Ed25519 private key of a whsk_ key: a 32-byte seed, or seed + public key (64 bytes, libsodium)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization

    raw = _b64(secret[len(SIGNING_KEY_PREFIX):], "a whsk_ key")
    if len(raw) not in (32, 64):
        raise SignatureInvalid("a whsk_ key is neither 32 nor 64 bytes")
    key = Ed25519PrivateKey.from_private_bytes(raw[:32])
    if len(raw) == 64:
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if public != raw[32:]:
            raise SignatureInvalid("a whsk_ key's public half does not match its seed")
    return key


def _ed25519_verifies(public_raw: bytes, signature: bytes, content: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, content)
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_signatures(header: str) -> tuple[list[bytes], list[bytes]]:
    """The v1 (base64 text, for constant-time comparison) and v1a (decoded) signatures of a header."""
    v1: list[bytes] = []
    v1a: list[bytes] = []
    for entry in header.split(" "):
        version, _, value = entry.partition(",")
        if not value:
            continue
        if version == "v1":
            v1.append(hmac_sha256.as_bytes(value))
        elif version == "v1a":
            try:
                v1a.append(base64.b64decode(value, validate=True))
            except (binascii.Error, ValueError):
                continue
    return v1, v1a


class StandardWebhooksScheme:
    def __init__(self, provider: str, prefixes: tuple[str, ...]):
        self.provider = provider
        self.prefixes = prefixes  # header families, first found wins; the first one is used to sign

    def _prefix(self, request: Request) -> str:
        for prefix in self.prefixes:
            if prefix + "signature" in request.headers:
                return prefix
        return self.prefixes[-1]

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        prefix = self._prefix(request)
        msg_id = request.header(prefix + "id")
        timestamp_text = request.header(prefix + "timestamp")
        header = request.header(prefix + "signature")
        if not msg_id or not header:
            raise SignatureInvalid(f"missing {prefix}id or {prefix}signature header")
        timestamp = parse_unix_timestamp(timestamp_text, f"{prefix}timestamp")
        prefix_bytes = f"{msg_id}.{timestamp_text.strip()}.".encode("utf-8", "surrogatepass")
        v1, v1a = parse_signatures(header)
        if not v1 and not v1a:
            raise SignatureInvalid(f"{prefix}signature has no v1 or v1a entry")
        secrets = hmac_sha256.require_secrets(config.secrets, self.provider)
        hmac_secrets = [s for s in secrets if not s.startswith((SIGNING_KEY_PREFIX, PUBLIC_KEY_PREFIX))]
        asymmetric = [s for s in secrets if s.startswith((SIGNING_KEY_PREFIX, PUBLIC_KEY_PREFIX))]
        matched = bool(v1 and hmac_secrets) and hmac_sha256.any_match(
            v1, [hmac_sha256.b64_digest(hmac_key(secret), prefix_bytes, request.body) for secret in hmac_secrets]
        )
        if not matched and v1a and asymmetric:
            content = prefix_bytes + request.body
            matched = any(
                _ed25519_verifies(public_key_bytes(secret), signature, content)
                for secret in asymmetric
                for signature in v1a
            )
        if not matched:
            raise SignatureInvalid(f"no {prefix}signature entry matches a configured key")
        check_tolerance(timestamp, checks.now, checks.tolerance_s)
        return self.identify(request)

    def identify(self, request: Request) -> Delivery:
        prefix = self._prefix(request)
        return Delivery(
            event_id=request.id_or_body_hash(request.header(prefix + "id")),
            event_type=id_text(request.body_field("type")) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        secret = hmac_sha256.require_secrets(config.secrets, self.provider)[0]
        msg_id = msg_id or "msg_" + uuid.uuid4().hex
        content = f"{msg_id}.{at}.".encode() + body
        if secret.startswith(PUBLIC_KEY_PREFIX):
            raise SignatureInvalid("a whpk_ public key can only verify; signing needs the whsk_ key")
        if secret.startswith(SIGNING_KEY_PREFIX):
            signature = "v1a," + base64.b64encode(signing_key(secret).sign(content)).decode()
        else:
            signature = "v1," + hmac_sha256.b64_digest(hmac_key(secret), content).decode()
        prefix = self.prefixes[0]
        return SignedDelivery(
            headers={prefix + "id": msg_id, prefix + "timestamp": str(at), prefix + "signature": signature},
            body=body,
        )


STANDARD_WEBHOOKS = StandardWebhooksScheme("standardwebhooks", ("webhook-",))
SVIX = StandardWebhooksScheme("svix", ("svix-", "webhook-"))
