"""Webhook signature schemes: one module used by the receiver to verify and by the CLI to sign.

Imports only the standard library; `cryptography` is imported lazily, by the Ed25519 (v1a, whsk_/whpk_)
and PayPal (RSA/X.509) code paths and by test-material generation.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Callable, Mapping

from webhook_signatures.clock import unix_now
from webhook_signatures.delivery import Delivery, SignedDelivery
from webhook_signatures.errors import BodyTooLarge, MalformedBody, SignatureInvalid, UnknownProvider, WebhookError
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.registry import PROVIDERS, scheme_for
from webhook_signatures.request import LowerCaseHeaders, Request, lower_case_headers
from webhook_signatures.scheme import Checks

DEFAULT_MAX_BODY_BYTES = 262144
DEFAULT_TOLERANCE_S = 300

__all__ = [
    "PROVIDERS",
    "BodyTooLarge",
    "Delivery",
    "LowerCaseHeaders",
    "MalformedBody",
    "ProviderConfig",
    "SignatureInvalid",
    "SignedDelivery",
    "UnknownProvider",
    "WebhookError",
    "event_id",
    "event_type",
    "lower_case_headers",
    "sign",
    "verify",
]


def verify(
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    config: ProviderConfig,
    *,
    now: float | int | datetime | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    tolerance_s: float | None = DEFAULT_TOLERANCE_S,
    cert_fetcher: Callable[[str], Any] | None = None,
) -> Delivery:
    """The delivery's event id and type when it is authentic; raises a WebhookError otherwise.

    Headers match case-insensitively (LowerCaseHeaders are taken as already lower-cased). `now` pins the
    clock for timestamp tolerance; `tolerance_s=None` disables it. MalformedBody is raised only after the
    signature verified.
    """
    scheme = scheme_for(provider)
    if len(body) > max_body_bytes:
        raise BodyTooLarge(len(body), max_body_bytes)
    return scheme.verify(Request(headers, body), config, Checks(unix_now(now), tolerance_s, cert_fetcher))


def sign(
    provider: str,
    body: bytes,
    config: ProviderConfig,
    *,
    at: float | int | datetime | None = None,
    msg_id: str | None = None,
) -> SignedDelivery:
    """What `provider` would send for `body`: signed with config.secrets[0] (or the PayPal / whsk_ key)."""
    scheme = scheme_for(provider)
    moment = int(time.time()) if at is None else int(unix_now(at))
    return scheme.sign(body, config, moment, msg_id)


def event_id(provider: str, headers: Mapping[str, str], body: bytes) -> str:
    """The dedupe id from where the provider puts it (SHA-256 of the body when empty); no authentication."""
    return scheme_for(provider).identify(Request(headers, body)).event_id


def event_type(provider: str, headers: Mapping[str, str], body: bytes) -> str:
    return scheme_for(provider).identify(Request(headers, body)).event_type
