"""Lambda events and contexts as the handlers receive them."""

from __future__ import annotations

import base64
import json
from typing import Any


class LambdaContext:
    aws_request_id = "req-0001"
    function_name = "test-function"


def proxy_event(provider: str, headers: dict[str, str], body: bytes, *, base64_encoded: bool = False) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event for POST /webhook/{provider}."""
    return {
        "resource": "/webhook/{provider}",
        "path": f"/webhook/{provider}",
        "httpMethod": "POST",
        "headers": dict(headers),
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "pathParameters": {"provider": provider},
        "requestContext": {"identity": {"sourceIp": "203.0.113.7"}, "stage": "live"},
        "body": base64.b64encode(body).decode() if base64_encoded else body.decode("utf-8"),
        "isBase64Encoded": base64_encoded,
    }


def stripe_body(event_id: str = "evt_1", event_type: str = "payment_intent.succeeded", size: int = 0) -> bytes:
    document = {"id": event_id, "object": "event", "type": event_type, "data": {"object": {"amount": 1999}}}
    if size:
        document["padding"] = "x" * max(0, size - len(json.dumps(document)) - 16)
    return json.dumps(document).encode()
