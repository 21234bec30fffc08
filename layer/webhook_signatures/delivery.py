"""Results of verifying and of signing a delivery."""

from __future__ import annotations

from typing import NamedTuple

UNKNOWN_TYPE = "unknown"  # event type when the provider's place for it is empty


class Delivery(NamedTuple):
    """An authentic delivery: the provider's event id (the dedupe key) and event type."""

    event_id: str
    event_type: str


class SignedDelivery(NamedTuple):
    """What a provider would send: headers and the exact body bytes (Adyen adds signatures to the body)."""

    headers: dict[str, str]
    body: bytes
