"""`events list` and `events show`: stored events, without secrets or signature headers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import UsageError, WebhookctlError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.providers import check_provider

STATUSES = ("RECEIVED", "PROCESSED")
SUMMARY_FIELDS = ("event_key", "provider", "event_id", "event_type", "status", "received_at", "processed_at", "attempts")
# Header and body fields that authenticate a delivery; never shown even if a handler stored them.
_SENSITIVE = re.compile(r"signature|hmac|secret|token|authorization|auth-algo|cert-url|transmission-sig|api-key|password", re.I)
REDACTED = "<redacted>"


@dataclass(frozen=True)
class StoredEvent:
    event_key: str
    provider: str
    event_id: str
    event_type: str
    status: str
    received_at: str | None
    processed_at: str | None
    attempts: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # parsed JSON when possible, with signature fields redacted

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        document: dict[str, Any] = {name: getattr(self, name) for name in SUMMARY_FIELDS}
        if detail:
            document["headers"] = self.headers
            document["body"] = self.body
        return document


@dataclass(frozen=True)
class EventList:
    events: list[StoredEvent]
    scanned: int

    def to_json(self) -> list[dict[str, Any]]:
        return [event.to_json(detail=False) for event in self.events]


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB-typed item as plain Python values (numbers as int when whole)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: _plain_number(deserializer.deserialize(value)) for key, value in item.items()}


def _plain_number(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain_number(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain_number(v) for v in value]
    return value


def redact(value: Any) -> Any:
    """Drop every field whose name says it authenticates (signatures, HMACs, tokens), at any depth."""
    if isinstance(value, dict):
        return {k: (REDACTED if _SENSITIVE.search(str(k)) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def stored_event(item: dict[str, Any]) -> StoredEvent:
    plain = plain_item(item)
    headers = plain.get("headers") if isinstance(plain.get("headers"), dict) else {}
    body: Any = plain.get("body")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            pass  # a non-JSON body (e.g. a form-encoded GitHub delivery) is shown as text
    return StoredEvent(
        event_key=str(plain.get("event_key", "")),
        provider=str(plain.get("provider", "")),
        event_id=str(plain.get("event_id", "")),
        event_type=str(plain.get("event_type", "")),
        status=str(plain.get("status", "")),
        received_at=plain.get("received_at"),
        processed_at=plain.get("processed_at"),
        attempts=int(plain.get("attempts") or 0),
        headers={k: v for k, v in redact(headers).items() if v != REDACTED},
        body=redact(body),
    )


def list_events(
    ctx: AwsContext,
    settings: Settings,
    *,
    status: str | None = None,
    provider: str | None = None,
    limit: int = 20,
) -> EventList:
    """Newest first; a projected scan (the table has only its hash key), filtered server-side."""
    if status is not None:
        status = status.upper()
        if status not in STATUSES:
            raise UsageError(f"--status must be one of {', '.join(STATUSES)} (got {status!r})")
    if provider is not None:
        check_provider(provider, option="--provider")
    if limit < 1:
        raise UsageError("--limit must be at least 1")

    deployment = Deployment(ctx, settings)
    names = {f"#{name}": name for name in SUMMARY_FIELDS}
    request: dict[str, Any] = {
        "TableName": deployment.table_name,
        "ProjectionExpression": ", ".join(names),
        "ExpressionAttributeNames": names,
    }
    conditions, values = [], {}
    if status:
        conditions.append("#status = :status")
        values[":status"] = {"S": status}
    if provider:
        conditions.append("#provider = :provider")
        values[":provider"] = {"S": provider}
    if conditions:
        request["FilterExpression"] = " AND ".join(conditions)
        request["ExpressionAttributeValues"] = values

    events: list[StoredEvent] = []
    scanned = 0
    for page in ctx.client("dynamodb").get_paginator("scan").paginate(**request):
        scanned += page.get("ScannedCount", 0)
        events.extend(stored_event(item) for item in page.get("Items", []))
    events.sort(key=lambda e: (e.received_at or "", e.event_key), reverse=True)
    return EventList(events=events[:limit], scanned=scanned)


def show_event(ctx: AwsContext, settings: Settings, event_key: str) -> StoredEvent:
    if "#" not in event_key:
        raise UsageError(f"an event key looks like PROVIDER#EVENT_ID (got {event_key!r})", hint="see: webhookctl events list")
    deployment = Deployment(ctx, settings)
    response = ctx.client("dynamodb").get_item(TableName=deployment.table_name, Key={"event_key": {"S": event_key}}, ConsistentRead=True)
    item = response.get("Item")
    if not item:
        raise WebhookctlError(f"no event {event_key!r} in {deployment.table_name}", hint="see: webhookctl events list")
    return stored_event(item)
