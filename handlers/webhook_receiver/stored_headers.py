"""The request headers worth keeping with a stored event: never signatures, credentials or proxy noise."""

from __future__ import annotations

from typing import Mapping

# Kept: what identifies or describes a delivery (ids, types, timestamps, shop/hook ids, cert URL).
_KEPT_PREFIXES = ("x-github-", "x-shopify-", "x-square-", "webhook-", "svix-", "paypal-", "stripe-", "x-adyen-")
_KEPT_NAMES = frozenset({"content-type", "user-agent", "x-request-id"})
# Dropped even under a kept prefix: anything that carries or names a signature or a credential.
_SIGNATURE_WORDS = ("signature", "hmac", "-sig", "authorization", "secret", "token", "cookie", "api-key")


_decisions: dict[str, str | None] = {}  # header name -> stored name, or None; bounded below


def stored_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The useful, non-signature headers, by lower-case name."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        stored_name = _decisions.get(name, "")
        if stored_name == "":
            stored_name = _decide(name)
        if stored_name is not None:
            kept[stored_name] = value
    return kept


def _decide(name: str) -> str | None:
    lowered = name.lower()
    keep = (lowered in _KEPT_NAMES or lowered.startswith(_KEPT_PREFIXES)) and not any(
        word in lowered for word in _SIGNATURE_WORDS
    )
    if len(_decisions) < 1024:  # senders choose header names: never let them grow this without bound
        _decisions[name] = lowered if keep else None
    return lowered if keep else None
