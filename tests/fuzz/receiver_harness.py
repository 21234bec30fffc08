"""The receiver's handler loaded once, over moto, and API Gateway proxy events for it."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any

import webhook_signatures as ws
from tests.fuzz.signing_material import provider_of
from tests.handlers.cloud import TABLE, Cloud
from tests.handlers.lambda_events import LambdaContext
from webhookctl.operations.offline_signing import is_utf8

MAX_BODY_BYTES = 4096
# Every provider, and Adyen also with the payload HMAC header (signed with the same key).
RECEIVER_VARIANTS = (*ws.PROVIDERS, "adyen-payload")


class Receiver:
    """The handler module loaded once for the module, its moto cloud, and what it handed off."""

    def __init__(self, module: ModuleType, cloud: Cloud) -> None:
        self.module = module
        self.cloud = cloud
        self.handoffs: list[dict[str, Any]] = []
        lambda_client = module.aws_clients.client("lambda")
        lambda_client.meta.events.register("provide-client-params.lambda.Invoke",
                                           lambda params, **_: self.handoffs.append(json.loads(params["Payload"])))

    def answer(self, event: Any) -> dict[str, Any]:
        return self.module.handler(event, LambdaContext())

    def stored(self) -> int:
        return self.cloud.dynamodb.scan(TableName=TABLE, Select="COUNT", ConsistentRead=True)["Count"]


def signing_config(configs: dict[str, Any], variant: str) -> ws.ProviderConfig:
    return configs[provider_of(variant)]  # the receiver's secret holds one entry per provider


def proxy_event(provider: str, headers: dict[str, str], body: bytes, encoding: str, recase: bool) -> dict[str, Any]:
    """An API Gateway proxy event as API Gateway builds it, in one of the ways it may carry headers and body."""
    if recase:
        headers = {name.swapcase(): value for name, value in headers.items()}
    base64_encoded = encoding == "base64" or not is_utf8(body)
    event: dict[str, Any] = {
        "resource": "/webhook/{provider}", "path": f"/webhook/{provider}", "httpMethod": "POST",
        "pathParameters": {"provider": provider},
        "requestContext": {"identity": {"sourceIp": "203.0.113.7"}},
        "body": base64.b64encode(body).decode() if base64_encoded else body.decode("utf-8"),
        "isBase64Encoded": base64_encoded,
    }
    if encoding == "multi-value only":
        event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    else:
        event["headers"] = dict(headers)
        event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    return event
