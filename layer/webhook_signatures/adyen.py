"""Adyen: HMAC-SHA256 per NotificationRequestItem (additionalData.hmacSignature), or the `HmacSignature` payload header.

Keys are Adyen's hex HMAC keys (bytes.fromhex). Every item of a batch must carry a valid signature.

Dedupe id: one item gives "{eventCode}:{pspReference}" (Adyen's own duplicate rule); a batch of
several items gives "batch:" + SHA-256 of the items' ids joined by ",", so a redelivered batch dedupes
while a different batch does not. A payload-HMAC delivery without notification items falls back to
the SHA-256 of the raw body.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from webhook_signatures import hmac_sha256
from webhook_signatures.delivery import UNKNOWN_TYPE, Delivery, SignedDelivery
from webhook_signatures.errors import MalformedBody, SignatureInvalid
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request, id_text
from webhook_signatures.scheme import Checks

PAYLOAD_HEADER = "HmacSignature"
SIGNED_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "value",
    "currency",
    "eventCode",
    "success",
)


@functools.lru_cache(maxsize=64)
def hmac_key(secret: str) -> bytes:
    try:
        return bytes.fromhex(secret.strip())
    except ValueError:
        raise SignatureInvalid("an Adyen HMAC key is not hexadecimal") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # Adyen sends "true"/"false"; keep that spelling if a bool slips in
        return "true" if value else "false"
    return str(value)


def signing_string(item: dict) -> bytes:
    """The eight fields, colon-joined, in Adyen's order (amount.value and amount.currency inlined)."""
    amount = item.get("amount")
    amount = amount if isinstance(amount, dict) else {}
    values = {**item, "value": amount.get("value"), "currency": amount.get("currency")}
    return ":".join(_text(values.get(name)) for name in SIGNED_FIELDS).encode()


def notification_items(document: Any) -> list[dict] | None:
    """The NotificationRequestItem objects of a classic notification; None when it is not one."""
    if not isinstance(document, dict) or not isinstance(document.get("notificationItems"), list):
        return None
    items = []
    for entry in document["notificationItems"]:
        item = entry.get("NotificationRequestItem") if isinstance(entry, dict) else None
        if not isinstance(item, dict):
            return None
        items.append(item)
    return items


def _item_signature(item: dict) -> bytes | None:
    additional = item.get("additionalData")
    value = additional.get("hmacSignature") if isinstance(additional, dict) else None
    return hmac_sha256.as_bytes(value) if isinstance(value, str) and value else None


class AdyenScheme:
    provider = "adyen"

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        secrets = hmac_sha256.require_secrets(config.secrets, self.provider)
        keys = [hmac_key(secret) for secret in secrets]
        header = request.header(PAYLOAD_HEADER.lower())
        if header:
            expected = [hmac_sha256.b64_digest(key, request.body) for key in keys]
            if not hmac_sha256.any_match([hmac_sha256.as_bytes(header)], expected):
                raise SignatureInvalid("HmacSignature header matches no Adyen key")
            return self.identify(request)
        try:
            items = notification_items(request.json())
        except MalformedBody:
            raise SignatureInvalid("body is not an Adyen JSON notification") from None
        if not items:
            raise SignatureInvalid("no notification items and no HmacSignature header")
        for index, item in enumerate(items):
            provided = _item_signature(item)
            if provided is None:
                raise SignatureInvalid(f"notification item {index} has no hmacSignature")
            message = signing_string(item)
            if not hmac_sha256.any_match([provided], [hmac_sha256.b64_digest(key, message) for key in keys]):
                raise SignatureInvalid(f"notification item {index} matches no Adyen key")
        return _identify_items(request, items)

    def identify(self, request: Request) -> Delivery:
        items = notification_items(request.json())
        if items:
            return _identify_items(request, items)
        return Delivery(
            event_id=request.id_or_body_hash(request.body_field("eventId")),
            event_type=id_text(request.body_field("type")) or UNKNOWN_TYPE,
        )

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        """Classic notifications get hmacSignature in every item (the body changes); other bodies the header."""
        key = hmac_key(hmac_sha256.require_secrets(config.secrets, self.provider)[0])
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            document = None
        items = notification_items(document)
        if not items:
            return SignedDelivery(headers={PAYLOAD_HEADER: hmac_sha256.b64_digest(key, body).decode()}, body=body)
        for item in items:
            additional = item.get("additionalData")
            if not isinstance(additional, dict):
                additional = item["additionalData"] = {}
            additional["hmacSignature"] = hmac_sha256.b64_digest(key, signing_string(item)).decode()
        return SignedDelivery(headers={}, body=json.dumps(document, separators=(",", ":")).encode())


def _identify_items(request: Request, items: list[dict]) -> Delivery:
    ids = [f"{_text(item.get('eventCode'))}:{_text(item.get('pspReference'))}" for item in items]
    types = list(dict.fromkeys(_text(item.get("eventCode")) for item in items if item.get("eventCode")))
    if len(ids) == 1:
        event_id = ids[0] if ids[0] != ":" else request.body_sha256()
    else:
        event_id = "batch:" + hashlib.sha256(",".join(ids).encode()).hexdigest()
    return Delivery(event_id=event_id, event_type=",".join(types) or UNKNOWN_TYPE)



SCHEME = AdyenScheme()
