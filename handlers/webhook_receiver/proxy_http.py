"""API Gateway (REST, v1 proxy) events in, proxy responses out."""

from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple

from webhook_runtime.compact_json import compact_encoder
from webhook_signatures import LowerCaseHeaders, lower_case_headers

WEBHOOK_PATH_PREFIX = "/webhook/"
_encode = compact_encoder()


class BadProxyEvent(Exception):
    """The event is not an API Gateway proxy request this function can read."""


# NamedTuples, not dataclasses: built on every request, and a frozen dataclass costs several times more.
class WebhookRequest(NamedTuple):
    provider: str
    headers: dict[str, str]  # as sent (one value per name)
    body: bytes
    source_ip: str | None = None
    # The same headers by lower-case name, normalised once for verification and for the stored item.
    lowered_headers: LowerCaseHeaders | None = None
    # The body as the event carried it, when that text is exactly `body` decoded (sent as text, valid UTF-8).
    text: str | None = None

    def headers_by_lower_case_name(self) -> LowerCaseHeaders:
        return self.lowered_headers if self.lowered_headers is not None else lower_case_headers(self.headers)


class WebhookResponse(NamedTuple):
    status: int
    body: dict[str, Any] = {}


def parse_proxy_event(event: Any) -> WebhookRequest:
    """The provider from /webhook/{provider}, the headers and the raw body bytes."""
    if not isinstance(event, dict):
        raise BadProxyEvent("the event is not an API Gateway proxy request")
    provider = _object(event, "pathParameters").get("provider")
    if not provider or not isinstance(provider, str):
        path = event.get("path")
        path = path if isinstance(path, str) else ""
        provider = path[len(WEBHOOK_PATH_PREFIX):].strip("/") if path.startswith(WEBHOOK_PATH_PREFIX) else ""
    headers, lowered = _single_value_headers(event)
    raw = event.get("body")
    text = None
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
        try:
            body, text = raw.encode("utf-8"), raw
        except UnicodeEncodeError:  # lone surrogates: kept byte for byte, stored base64 later
            body = raw.encode("utf-8", "surrogatepass")
    source_ip = _object(_object(event, "requestContext"), "identity").get("sourceIp")
    return WebhookRequest(provider, headers, body, source_ip if isinstance(source_ip, str) else None, lowered,
                          text)


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """parent[key] when it is a JSON object, {} when absent or null; BadProxyEvent for anything else."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadProxyEvent(f"{key} is not an object")
    return value


def _single_value_headers(event: dict[str, Any]) -> tuple[dict[str, str], LowerCaseHeaders]:
    """The headers as sent, and by lower-case name (later names win, as in webhook_signatures)."""
    single = _object(event, "headers")
    multi = _object(event, "multiValueHeaders")
    headers = single  # copied only when multiValueHeaders adds a name: the event itself is never changed
    lowered = LowerCaseHeaders()
    for name, value in single.items():
        if not (isinstance(name, str) and isinstance(value, str)):
            raise BadProxyEvent("a header is not text")
        lowered[name.lower()] = value
    # A header sent only in multiValueHeaders (REST proxy sends both) still counts, with its last value.
    for name, values in multi.items():
        if name not in single and isinstance(values, list) and values:
            value = values[-1]
            if not (isinstance(name, str) and isinstance(value, str)):
                raise BadProxyEvent("a header is not text")
            if headers is single:
                headers = dict(single)
            headers[name] = value
            lowered[name.lower()] = value
    return headers, lowered


def to_proxy_response(response: WebhookResponse) -> dict[str, Any]:
    return {
        "statusCode": response.status,
        "headers": {"Content-Type": "application/json"},
        "body": _encode(response.body),
        "isBase64Encoded": False,
    }
