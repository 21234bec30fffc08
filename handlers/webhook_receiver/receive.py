"""Receive one webhook delivery: verify, store once, hand off. Plain functions over injected deps."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

from event_store import StoreUnavailable
from processor_handoff import HandoffFailed
from provider_secrets import ProviderSecrets, SecretsUnavailable
from proxy_http import WebhookRequest, WebhookResponse
from receiver_settings import ReceiverSettings
from stored_headers import stored_headers
from webhook_runtime.structured_log import JsonLogger
from webhook_runtime.timestamps import RETENTION_S, iso_utc, parse_iso_utc
from webhook_runtime.tracing import Tracing
from webhook_signatures import (
    PROVIDERS,
    BodyTooLarge,
    Delivery,
    MalformedBody,
    SignatureInvalid,
    UnknownProvider,
    verify,
)

RECEIVED = "RECEIVED"
# DynamoDB refuses partition keys over 2048 bytes; a longer provider id is keyed by its digest so
# the delivery is still stored once (the full id stays in the item's event_id).
MAX_EVENT_KEY_BYTES = 1024

NOT_FOUND = WebhookResponse(404, {"message": "Not Found"})
TOO_LARGE = WebhookResponse(413, {"message": "Payload Too Large"})
# The same answer for every reason: a forger learns nothing about which check failed.
UNAUTHORIZED = WebhookResponse(401, {"message": "Unauthorized"})
NOT_JSON = WebhookResponse(400, {"message": "Bad Request: the body is not JSON"})
UNAVAILABLE = WebhookResponse(503, {"message": "Service Unavailable"})


class EventStore(Protocol):
    def insert_if_absent(self, item: dict[str, Any]) -> dict[str, Any] | None: ...

    def mark_handoff_failed(self, event_key: str, at: str) -> bool: ...


@dataclass(frozen=True)
class ReceiverDeps:
    settings: ReceiverSettings
    secrets: ProviderSecrets
    store: EventStore
    handoff: Callable[[dict[str, str]], None]  # raises HandoffFailed
    log: JsonLogger
    tracing: Tracing
    clock: Callable[[], float] = time.time


def receive_webhook(request: WebhookRequest, deps: ReceiverDeps, log: JsonLogger | None = None) -> WebhookResponse:
    """The HTTP answer for one delivery; 2xx only once the event is stored. `log`: this request's logger."""
    provider = request.provider
    log = log or deps.log
    # Refusals name the provider on their one line; the logger is bound once, when the event is known.
    if provider not in PROVIDERS or provider not in deps.settings.providers_enabled:
        log.warning("refused: unknown or disabled provider", provider=provider, status=404)
        return NOT_FOUND
    if len(request.body) > deps.settings.max_body_bytes:
        log.warning("refused: body too large", provider=provider, status=413, body_bytes=len(request.body))
        return TOO_LARGE
    now = deps.clock()
    headers = request.headers_by_lower_case_name()  # lower-cased once: for verify and for the stored item
    with deps.tracing.subsegment("verify", provider=provider):
        try:
            delivery = _verify_with_one_refresh(request, headers, deps, now)
        except SignatureInvalid as refused:
            log.warning("refused: not authentic", provider=provider, status=401, reason=refused.reason,
                        source_ip=request.source_ip)
            return UNAUTHORIZED
        except MalformedBody:
            log.warning("refused: body is not JSON", provider=provider, status=400)
            return NOT_JSON
        except BodyTooLarge:
            log.warning("refused: body too large", provider=provider, status=413, body_bytes=len(request.body))
            return TOO_LARGE
        except UnknownProvider:
            log.warning("refused: unknown provider", provider=provider, status=404)
            return NOT_FOUND
        except SecretsUnavailable as error:
            log.error("cannot verify: signing material unavailable", provider=provider, status=503,
                      error=str(error))
            return UNAVAILABLE

    event_key = event_key_for(provider, delivery.event_id)
    log = log.bind(provider=provider, event_key=event_key, event_type=delivery.event_type)
    message = {"event_key": event_key, "provider": provider, "event_id": delivery.event_id,
               "event_type": delivery.event_type}
    with deps.tracing.subsegment("store", event_key=event_key):
        try:
            existing = deps.store.insert_if_absent(new_event_item(message, request, now, headers))
        except StoreUnavailable as error:
            log.error("cannot store the event", status=503, error=str(error))
            return UNAVAILABLE

    if existing is None:
        if not _hand_off(message, deps, log, now):
            return UNAVAILABLE
        log.info("accepted", status=200)
        return WebhookResponse(200, {"received": True, "event_key": event_key})
    return _answer_duplicate(message, existing, deps, log, now)


def _verify_with_one_refresh(request: WebhookRequest, headers: Mapping[str, str], deps: ReceiverDeps,
                             now: float) -> Delivery:
    """Verify; after a failure re-read the secret at most once, in case it was just rotated."""
    try:
        return _verify(request, headers, deps, now)
    except SignatureInvalid:
        if not deps.secrets.refresh_after_failure():
            raise
    return _verify(request, headers, deps, now)


def _verify(request: WebhookRequest, headers: Mapping[str, str], deps: ReceiverDeps, now: float) -> Delivery:
    config = deps.secrets.config_for(request.provider)
    return verify(request.provider, headers, request.body, config, now=now,
                  max_body_bytes=deps.settings.max_body_bytes)


def new_event_item(message: dict[str, str], request: WebhookRequest, now: float,
                   headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The events-table item for a first delivery; `headers`: the request's, already lower-cased."""
    item: dict[str, Any] = {
        **message,
        "status": RECEIVED,
        "received_at": iso_utc(now),
        "attempts": 0,
        "headers": stored_headers(request.headers if headers is None else headers),
        "expires_at": int(now) + RETENTION_S,
    }
    if request.text is not None:
        item["body"] = request.text  # the event's own text: no second copy of the body
        return item
    try:
        item["body"] = request.body.decode("utf-8")
    except UnicodeDecodeError:
        # A DynamoDB string must be UTF-8: keep the exact bytes, base64-encoded, and say so.
        import base64

        item["body"] = base64.b64encode(request.body).decode("ascii")
        item["body_encoding"] = "base64"
    return item


def _hand_off(message: dict[str, str], deps: ReceiverDeps, log: JsonLogger, now: float) -> bool:
    with deps.tracing.subsegment("hand-off", event_key=message["event_key"]):
        try:
            deps.handoff(message)
        except HandoffFailed as error:
            # Stored but not handed on: a 5xx makes the provider retry, and the mark makes that retry
            # hand it on even when it comes back within the duplicate grace period.
            marked = deps.store.mark_handoff_failed(message["event_key"], iso_utc(now))
            log.error("hand-off to the processor failed", status=503, error=str(error), marked=marked)
            return False
    return True


def _answer_duplicate(message: dict[str, str], existing: dict[str, Any], deps: ReceiverDeps,
                      log: JsonLogger, now: float) -> WebhookResponse:
    status = existing.get("status")
    overdue = _age_s(existing, now) >= deps.settings.duplicate_grace_s
    if status == RECEIVED and (overdue or "handoff_failed_at" in existing):
        # Unprocessed, and its hand-off failed or is long overdue: hand it on again (replays are safe).
        if not _hand_off(message, deps, log, now):
            return UNAVAILABLE
        log.info("duplicate handed off again", status=200, stored_status=status)
    else:
        log.info("duplicate", status=200, stored_status=status)
    return WebhookResponse(200, {"duplicate": True, "event_key": message["event_key"], "status": status})


def _age_s(item: dict[str, Any], now: float) -> float:
    try:
        return now - parse_iso_utc(item["received_at"])
    except (KeyError, TypeError, ValueError):
        return float("inf")  # unreadable: treat as overdue, re-handing off is safe


def event_key_for(provider: str, event_id: str) -> str:
    """`provider#event_id`, or `provider#sha256:<hex of the id>` when the id would overflow the key."""
    key = f"{provider}#{event_id}"
    # A code point is at most 4 UTF-8 bytes: a short key fits without encoding it to count.
    if len(key) * 4 <= MAX_EVENT_KEY_BYTES or len(key.encode("utf-8", "surrogatepass")) <= MAX_EVENT_KEY_BYTES:
        return key
    digest = hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{provider}#sha256:{digest}"
