"""Process one handed-off event: the conditional RECEIVED -> PROCESSED change, safe to replay."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from webhook_runtime.structured_log import JsonLogger
from webhook_runtime.timestamps import iso_utc
from webhook_runtime.tracing import Tracing

RECEIVED, PROCESSED = "RECEIVED", "PROCESSED"


class CannotProcess(Exception):
    """The event cannot be handled; raised so that Lambda retries it, then sends it to the DLQ."""


@dataclass(frozen=True)
class ProcessorMessage:
    """What the receiver hands off (also a processor-DLQ message body)."""

    event_key: str
    provider: str
    event_id: str
    event_type: str | None = None


@dataclass(frozen=True)
class ProcessResult:
    event_key: str
    outcome: str  # "processed" | "already_processed"
    attempts: int | None = None


@dataclass(frozen=True)
class ProcessorDeps:
    dynamodb: Any
    table: str
    log: JsonLogger
    tracing: Tracing
    clock: Callable[[], float] = time.time


def parse_message(event: Any) -> ProcessorMessage:
    """The hand-off message; CannotProcess when it is not one."""
    if not isinstance(event, dict):
        raise CannotProcess("the payload is not a JSON object")
    fields = {}
    for name in ("event_key", "provider", "event_id"):
        value = event.get(name)
        if not isinstance(value, str) or not value:
            raise CannotProcess(f"the payload has no {name}")
        fields[name] = value
    if fields["event_key"] != f"{fields['provider']}#{fields['event_id']}":
        raise CannotProcess("the payload's event_key does not match its provider and event_id")
    event_type = event.get("event_type")
    return ProcessorMessage(**fields, event_type=event_type if isinstance(event_type, str) else None)


def process_event(message: ProcessorMessage, deps: ProcessorDeps) -> ProcessResult:
    """Mark the stored event PROCESSED; a replay of a processed event changes nothing."""
    with deps.tracing.subsegment("store", event_key=message.event_key):
        client = deps.dynamodb
        try:
            updated = client.update_item(
                TableName=deps.table,
                Key={"event_key": {"S": message.event_key}},
                UpdateExpression="SET #status = :processed, processed_at = :now ADD attempts :one",
                ConditionExpression="#status = :received",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":processed": {"S": PROCESSED},
                    ":received": {"S": RECEIVED},
                    ":now": {"S": iso_utc(deps.clock())},
                    ":one": {"N": "1"},
                },
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as refused:
            return _not_received(message, refused.response.get("Item"), deps)
    return ProcessResult(message.event_key, "processed", int(updated["Attributes"]["attempts"]["N"]))


def _not_received(message: ProcessorMessage, item: dict[str, Any] | None, deps: ProcessorDeps) -> ProcessResult:
    if item is None:  # an endpoint that ignores ReturnValuesOnConditionCheckFailure: look
        item = deps.dynamodb.get_item(
            TableName=deps.table, Key={"event_key": {"S": message.event_key}}, ConsistentRead=True
        ).get("Item")
    if not item:
        raise CannotProcess(f"no stored event {message.event_key}")
    status = item.get("status", {}).get("S")
    if status == PROCESSED:
        return ProcessResult(message.event_key, "already_processed")
    raise CannotProcess(f"stored event {message.event_key} has status {status!r}")
