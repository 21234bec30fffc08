"""API Gateway (REST, v1 proxy) events in, proxy responses out."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

WEBHOOK_PATH_PREFIX = "/webhook/"
_ENCODER = json.JSONEncoder(separators=(",", ":"))


class BadProxyEvent(Exception):
    """The event is not an API Gateway proxy request this function can read."""


@dataclass(frozen=True)
class WebhookRequest:
    provider: str
    headers: dict[str, str]
    body: bytes
    source_ip: str | None = None


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


def parse_proxy_event(event: Any) -> WebhookRequest:
    """The provider from /webhook/{provider}, the headers and the raw body bytes."""
    if not isinstance(event, dict):
        raise BadProxyEvent("the event is not an API Gateway proxy request")
    provider = (event.get("pathParameters") or {}).get("provider")
    if not provider:
        path = event.get("path") or ""
        provider = path[len(WEBHOOK_PATH_PREFIX):].strip("/") if path.startswith(WEBHOOK_PATH_PREFIX) else ""
    headers = _single_value_headers(event)
    raw = event.get("body")
    if raw is None:
        body = b""
    elif event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadProxyEvent("the body is marked base64 but is not base64") from None
    else:
        body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    source_ip = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp")
    return WebhookRequest(provider=provider, headers=headers, body=body, source_ip=source_ip)


def _single_value_headers(event: dict[str, Any]) -> dict[str, str]:
    headers = dict(event.get("headers") or {})
    # A header sent only in multiValueHeaders (REST proxy sends both) still counts, with its last value.
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if name not in headers and values:
            headers[name] = values[-1]
    return headers


def to_proxy_response(response: WebhookResponse) -> dict[str, Any]:
    return {
        "statusCode": response.status,
        "headers": {"Content-Type": "application/json"},
        "body": _ENCODER.encode(response.body),
        "isBase64Encoded": False,
    }
