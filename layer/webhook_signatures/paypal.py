"""PayPal: offline RSA-SHA256 (PKCS#1 v1.5) over "transmission_id|transmission_time|webhook_id|crc32(body)".

There is no transmission-time tolerance (PayPal's own verification has none).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import uuid
import zlib
from datetime import datetime, timezone

from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request, id_text
from webhook_signatures.scheme import Checks

TRANSMISSION_ID = "PAYPAL-TRANSMISSION-ID"
TRANSMISSION_TIME = "PAYPAL-TRANSMISSION-TIME"
TRANSMISSION_SIG = "PAYPAL-TRANSMISSION-SIG"
CERT_URL = "PAYPAL-CERT-URL"
AUTH_ALGO = "PAYPAL-AUTH-ALGO"
ALGORITHM = "SHA256withRSA"
TEST_CERT_URL = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-{}"


def signed_message(transmission_id: str, transmission_time: str, webhook_id: str, body: bytes) -> bytes:
    # surrogatepass: a header holding a lone surrogate then fails the signature check instead of raising.
    return f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body)}".encode("utf-8", "surrogatepass")


def _webhook_id(config: ProviderConfig) -> str:
    if not config.webhook_id:
        raise SignatureInvalid("no PayPal webhook id configured")
    return config.webhook_id


def _rsa_verifies(cert, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


@functools.lru_cache(maxsize=8)
def _private_key(pem: str):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise SignatureInvalid("the PayPal signing key is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureInvalid("the PayPal signing key is not an RSA key")
    return key


class PayPalScheme:
    provider = "paypal"

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        values = {name: request.header(name.lower()) for name in (TRANSMISSION_ID, TRANSMISSION_TIME, TRANSMISSION_SIG)}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise SignatureInvalid(f"missing {', '.join(missing)} header")
        algorithm = request.header(AUTH_ALGO.lower())
        if algorithm and algorithm.strip().lower() != ALGORITHM.lower():
            raise SignatureInvalid(f"unsupported {AUTH_ALGO} {algorithm.strip()[:32]!r}")
        try:
            signature = base64.b64decode(values[TRANSMISSION_SIG].strip(), validate=True)
        except (binascii.Error, ValueError):
            raise SignatureInvalid(f"{TRANSMISSION_SIG} is not base64") from None
        from webhook_signatures import paypal_certificates  # lazy: pulls in urllib and cryptography

        message = signed_message(values[TRANSMISSION_ID], values[TRANSMISSION_TIME], _webhook_id(config), request.body)
        if config.certificates:
            certs = [paypal_certificates.pinned_certificate(pem) for pem in config.certificates]
        else:
            url = request.header(CERT_URL.lower())
            if not url:
                raise SignatureInvalid(f"missing {CERT_URL} header and no pinned certificate")
            certs = [paypal_certificates.fetch_certificate(url.strip(), checks.cert_fetcher)]
        # The pinned "now" (`verify --at`) judges the certificate's validity too: a captured delivery
        # verifies with the certificate that was valid when it was sent.
        now = datetime.fromtimestamp(checks.now, timezone.utc)
        current = [cert for cert in certs if paypal_certificates.within_validity(cert, now)]
        if not current:
            raise SignatureInvalid("the PayPal certificate is expired or not yet valid")
        if not any(_rsa_verifies(cert, signature, message) for cert in current):
            raise SignatureInvalid("signature does not verify with the PayPal certificate")
        return self.identify(request)

    def identify(self, request: Request) -> Delivery:
        return Delivery(
            event_id=request.id_or_body_hash(request.body_field("id")),
            event_type=id_text(request.body_field("event_type")) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        """Signs with test material (config.signing_key); real PayPal keys never leave PayPal."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        if not config.signing_key:
            raise SignatureInvalid("no PayPal signing key (only generated test material can sign)")
        transmission_id = msg_id or str(uuid.uuid4())
        transmission_time = datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = signed_message(transmission_id, transmission_time, _webhook_id(config), body)
        signature = _private_key(config.signing_key).sign(message, padding.PKCS1v15(), hashes.SHA256())
        pinned = config.certificates[0].encode() if config.certificates else config.signing_key.encode()
        return SignedDelivery(
            headers={
                TRANSMISSION_ID: transmission_id,
                TRANSMISSION_TIME: transmission_time,
                TRANSMISSION_SIG: base64.b64encode(signature).decode(),
                CERT_URL: TEST_CERT_URL.format(hashlib.sha256(pinned).hexdigest()[:24]),
                AUTH_ALGO: ALGORITHM,
            },
            body=body,
        )


SCHEME = PayPalScheme()
