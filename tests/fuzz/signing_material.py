"""Signing material for every verifier, and a validly signed delivery per provider to mutate."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import webhook_signatures as ws
from webhook_signatures import adyen, github, material, paypal, shopify, square, standard_webhooks, stripe

SQUARE_URL = "https://api.example.com/live/webhook/square"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ALL_TIME_DAYS = 2_932_896  # from 1970-01-01 to 9999-12-31, the last date an X.509 certificate can carry
SIGNED_AT = 1_700_000_000  # verifications pin `now` to this, so timestamps stay inside the tolerance

# The variants fuzzed: every provider; Standard Webhooks also with an Ed25519 (whsk_) key, and Adyen
# also with the payload HMAC header (its classic notifications carry their signatures in the body).
VARIANTS = (*ws.PROVIDERS, "standardwebhooks-ed25519", "adyen-payload")


def provider_of(variant: str) -> str:
    return variant.split("-")[0]


def ed25519_signing_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return standard_webhooks.SIGNING_KEY_PREFIX + base64.b64encode(raw).decode()


def secret_entry(variant: str) -> dict[str, Any]:
    """A fresh secret-document entry (new random keys on every call)."""
    if variant == "standardwebhooks-ed25519":
        return {"secrets": [ed25519_signing_key()]}
    if variant == "paypal":  # valid at any pinned `now`: the pinned time judges the certificate too
        return material.generate_paypal(valid_days=ALL_TIME_DAYS, not_before=EPOCH)
    return material.generate(provider_of(variant))


def config_from(variant: str, entry: dict[str, Any]) -> ws.ProviderConfig:
    settings = {"notification_url": SQUARE_URL} if provider_of(variant) == "square" else {}
    return material.provider_config(provider_of(variant), entry, settings)


def adyen_notification(*items: dict[str, Any]) -> dict[str, Any]:
    return {"live": "false", "notificationItems": [{"NotificationRequestItem": item} for item in items]}


def adyen_item(psp: str, code: str = "AUTHORISATION") -> dict[str, Any]:
    return {
        "pspReference": psp, "originalReference": "", "merchantAccountCode": "Shop", "merchantReference": "order-1",
        "amount": {"value": 1999, "currency": "EUR"}, "eventCode": code, "success": "true",
        "additionalData": {"note": "unsigned"},
    }


SAMPLE_BODIES: dict[str, bytes] = {
    "stripe": b'{"id":"evt_1","object":"event","type":"charge.succeeded","data":{"object":{"amount":1999}}}',
    "github": b'{"action":"opened","number":1}',
    "shopify": b'{"id":820982911946154508,"email":"jon@example.com"}',
    "square": b'{"event_id":"sq-1","type":"payment.updated","data":{"id":"p-1"}}',
    "adyen": json.dumps(adyen_notification(adyen_item("PSP-1"), adyen_item("PSP-2", "CAPTURE"))).encode(),
    "standardwebhooks": b'{"type":"invoice.paid","data":{"id":"in_1"}}',
    "standardwebhooks-ed25519": b'{"type":"invoice.paid","data":{"id":"in_2"}}',
    "svix": b'{"type":"invoice.paid","data":{"id":"in_1"}}',
    "adyen-payload": b'{"eventId":"bp-1","type":"balancePlatform.transfer.created"}',
    "paypal": b'{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}',
}


@dataclass(frozen=True)
class Signature:
    """Where a scheme puts a signature, and how it is written: to flip a bit of the signature itself."""

    header: str
    encode: Callable[[bytes], str]
    decode: Callable[[str], bytes]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def _stripe_sig(header: str) -> bytes:
    return bytes.fromhex(header.split("v1=")[1])


def _stripe_with(header: str) -> Callable[[bytes], str]:
    return lambda raw: header.split("v1=")[0] + "v1=" + raw.hex()


def signature_of(variant: str, headers: dict[str, str]) -> Signature | None:
    """The signature header of a signed delivery, with its codec; None when it is in the body (Adyen items)."""
    provider = provider_of(variant)
    if variant == "adyen":
        return None
    if provider == "stripe":
        value = headers[stripe.HEADER]
        return Signature(stripe.HEADER, _stripe_with(value), _stripe_sig)
    if provider == "github":
        return Signature(github.SIGNATURE, lambda raw: "sha256=" + raw.hex(), lambda text: bytes.fromhex(text[7:]))
    if provider == "shopify":
        return Signature(shopify.SIGNATURE, _b64, _unb64)
    if provider == "square":
        return Signature(square.SIGNATURE, _b64, _unb64)
    if provider == "adyen":
        return Signature(adyen.PAYLOAD_HEADER, _b64, _unb64)
    if provider == "paypal":
        return Signature(paypal.TRANSMISSION_SIG, _b64, _unb64)
    family = "svix-" if provider == "svix" else "webhook-"
    version = headers[family + "signature"].split(",")[0]
    return Signature(family + "signature", lambda raw: f"{version},{_b64(raw)}",
                     lambda text: _unb64(text.split(",", 1)[1]))


def signed_content_headers(variant: str) -> tuple[str, ...]:
    """Headers whose values are part of the signed content (changing one must break the signature)."""
    provider = provider_of(variant)
    if provider in ("standardwebhooks", "svix"):
        family = "svix-" if provider == "svix" else "webhook-"
        return (family + "id", family + "timestamp")
    if provider == "paypal":
        return (paypal.TRANSMISSION_ID, paypal.TRANSMISSION_TIME)
    return ()


def timestamp_header(variant: str) -> str | None:
    provider = provider_of(variant)
    if provider == "stripe":
        return stripe.HEADER
    if provider in ("standardwebhooks", "svix"):
        return ("svix-" if provider == "svix" else "webhook-") + "timestamp"
    return None


def with_timestamp(variant: str, headers: dict[str, str], timestamp: int) -> dict[str, str]:
    name = timestamp_header(variant)
    changed = dict(headers)
    if provider_of(variant) == "stripe":
        changed[name] = f"t={timestamp}," + headers[name].split(",", 1)[1]
    else:
        changed[name] = str(timestamp)
    return changed


def adyen_signed_fields(body: bytes) -> list[bytes] | None:
    """What Adyen item signatures cover, per item; None when the body is not a classic notification."""
    try:
        items = adyen.notification_items(json.loads(body))
    except (ValueError, RecursionError):
        return None
    return [adyen.signing_string(item) for item in items] if items else None
