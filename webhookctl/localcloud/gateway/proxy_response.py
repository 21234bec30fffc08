"""Map a Lambda proxy integration's result back to an HTTP response, with API Gateway's error answers."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

INTERNAL_ERROR = {"message": "Internal server error"}
TIMED_OUT = {"message": "Endpoint request timed out"}
MISSING_TOKEN = {"message": "Missing Authentication Token"}
THROTTLED = {"message": "Too Many Requests"}
FORBIDDEN = {"message": "Forbidden"}
REQUEST_TOO_LARGE = {"message": "Request Too Long"}  # the REQUEST_TOO_LARGE gateway response

_ALLOWED_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"}


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    error_type: str | None = None  # API Gateway's x-amzn-ErrorType for its own answers


class MalformedResponse(ValueError):
    """The function answered something API Gateway cannot turn into HTTP (it then answers 502)."""


def gateway_error(status: int, message: dict, error_type: str | None = None) -> GatewayResponse:
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return GatewayResponse(status, headers, json.dumps(message).encode(), error_type)


def internal_error() -> GatewayResponse:
    return gateway_error(502, INTERNAL_ERROR)


def timed_out() -> GatewayResponse:
    return gateway_error(504, TIMED_OUT)


def map_response(payload: bytes) -> GatewayResponse:
    """The HTTP response for a proxy integration result; raises MalformedResponse on a bad shape."""
    try:
        result = json.loads(payload)
    except ValueError:
        raise MalformedResponse("the function's result is not JSON") from None
    if not isinstance(result, dict):
        raise MalformedResponse("the function's result is not a JSON object")
    unknown = set(result) - _ALLOWED_KEYS
    if unknown:
        raise MalformedResponse(f"unexpected keys in the function's result: {sorted(unknown)}")
    status = result.get("statusCode", 200)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponse("statusCode is not an HTTP status")

    headers: list[tuple[str, str]] = []
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers must be objects")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse("multiValueHeaders values must be lists")
        headers.extend((str(name), _header_value(v)) for v in values)
    multi_names = {name.lower() for name in multi}
    for name, value in single.items():
        if name.lower() not in multi_names:  # multiValueHeaders win on AWS when both name a header
            headers.append((str(name), _header_value(value)))

    body = result.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        if result.get("isBase64Encoded"):
            try:
                raw = base64.b64decode(body, validate=True)
            except ValueError:
                raise MalformedResponse("body is not valid base64") from None
        else:
            raw = body.encode("utf-8")
    else:
        raise MalformedResponse("body must be a string")
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return GatewayResponse(status, headers, raw)


def _header_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise MalformedResponse("header values must be strings")
