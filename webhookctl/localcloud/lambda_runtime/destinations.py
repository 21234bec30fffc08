"""Where failed events go: DeadLetterConfig targets (which moto drops) and on-failure destinations."""

from __future__ import annotations

import json
import threading
from typing import Any


class DeadLetterConfigs:
    """DeadLetterConfig per function, as given to CreateFunction / UpdateFunctionConfiguration."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._targets: dict[tuple[str, str, str], str] = {}

    def set(self, account: str, region: str, function: str, target_arn: str | None) -> None:
        with self._lock:
            if target_arn:
                self._targets[(account, region, function)] = target_arn
            else:
                self._targets.pop((account, region, function), None)

    def get(self, account: str, region: str, function: str) -> str | None:
        with self._lock:
            return self._targets.get((account, region, function))

    def forget(self, account: str, region: str, function: str) -> None:
        self.set(account, region, function, None)

    def export(self) -> list[tuple[str, str, str, str]]:
        with self._lock:
            return [(*key, target) for key, target in self._targets.items()]

    def load(self, targets: list[tuple[str, str, str, str]]) -> None:
        with self._lock:
            self._targets = {(account, region, function): target for account, region, function, target in targets}


class DestinationError(Exception):
    """The target does not exist or is not a queue or topic."""


def send_to_target(target_arn: str, body: str, attributes: dict[str, tuple[str, str]] | None = None) -> None:
    """Deliver `body` to an SQS queue or SNS topic ARN in-process; attributes are name -> (type, value)."""
    parts = target_arn.split(":")
    if len(parts) < 6:
        raise DestinationError(f"Invalid target ARN: {target_arn}")
    service, region, account, resource = parts[2], parts[3], parts[4], parts[5]
    attributes = attributes or {}
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    if service == "sqs":
        backend = get_backend("sqs")[account][region]
        try:
            backend.send_message(
                resource,
                body,
                message_attributes={name: {"DataType": kind, "StringValue": value} for name, (kind, value) in attributes.items()},
            )
        except Exception as exc:
            raise DestinationError(f"Cannot send to {target_arn}: {exc}") from exc
    elif service == "sns":
        backend = get_backend("sns")[account][region]
        try:
            backend.publish(body, arn=target_arn, message_attributes={name: {"Type": kind, "Value": value} for name, (kind, value) in attributes.items()})
        except Exception as exc:
            raise DestinationError(f"Cannot publish to {target_arn}: {exc}") from exc
    else:
        raise DestinationError(f"Unsupported target: {target_arn}")


def dead_letter_attributes(request_id: str, error_code: int, error_message: str) -> dict[str, tuple[str, str]]:
    """The message attributes Lambda sets on an async event it gives up on."""
    return {
        "RequestID": ("String", request_id),
        "ErrorCode": ("Number", str(error_code)),
        "ErrorMessage": ("String", (error_message or "")[:1024]),
    }


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))
