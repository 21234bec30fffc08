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
    provider = _object(event, "pathParameters").get("provider")
    if not provider or not isinstance(provider, str):
        path = event.get("path")
        path = path if isinstance(path, str) else ""
        provider = path[len(WEBHOOK_PATH_PREFIX):].strip("/") if path.startswith(WEBHOOK_PATH_PREFIX) else ""
    headers = _single_value_headers(event)
    raw = event.get("body")
    if raw is None:
        body = b""
    elif not isinstance(raw, str):
        raise BadProxyEvent("the body is not text")
    elif event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadProxyEvent("the body is marked base64 but is not base64") from None
    else:
        body = raw.encode("utf-8", "surrogatepass")
    source_ip = _object(_object(event, "requestContext"), "identity").get("sourceIp")
    return WebhookRequest(provider=provider, headers=headers, body=body,
                          source_ip=source_ip if isinstance(source_ip, str) else None)


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """parent[key] when it is a JSON object, {} when absent or null; BadProxyEvent for anything else."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadProxyEvent(f"{key} is not an object")
    return value


def _single_value_headers(event: dict[str, Any]) -> dict[str, str]:
    headers = dict(_object(event, "headers"))
    # A header sent only in multiValueHeaders (REST proxy sends both) still counts, with its last value.
    for name, values in _object(event, "multiValueHeaders").items():
        if name not in headers and isinstance(values, list) and values:
            headers[name] = values[-1]
    if not all(isinstance(name, str) and isinstance(value, str) for name, value in headers.items()):
        raise BadProxyEvent("a header is not text")
    return headers


def to_proxy_response(response: WebhookResponse) -> dict[str, Any]:
    return {
        "statusCode": response.status,
        "headers": {"Content-Type": "application/json"},
        "body": _ENCODER.encode(response.body),
        "isBase64Encoded": False,
    }
