"""One audit line per DynamoDB stream record of the events table."""

from __future__ import annotations

from typing import Any

from webhook_runtime.timestamps import iso_utc


class UnreadableRecord(Exception):
    """The stream record lacks what an audit line needs."""


def sequence_number(record: Any) -> str | None:
    """The record's stream sequence number (its batchItemFailures identifier), if it has one."""
    if not isinstance(record, dict):
        return None
    value = (record.get("dynamodb") or {}).get("SequenceNumber")
    return value if isinstance(value, str) and value else None


def audit_line(record: Any) -> dict[str, Any]:
    """event_key, provider, event_type, old_status, new_status, time, sequence_number, event_name."""
    if not isinstance(record, dict) or not isinstance(record.get("dynamodb"), dict):
        raise UnreadableRecord("not a DynamoDB stream record")
    change = record["dynamodb"]
    new_image = change.get("NewImage") or {}
    old_image = change.get("OldImage") or {}
    event_key = _string(change.get("Keys") or {}, "event_key") or _string(new_image, "event_key") \
        or _string(old_image, "event_key")
    if not event_key:
        raise UnreadableRecord("the record has no event_key")
    created = change.get("ApproximateCreationDateTime")
    if not isinstance(created, (int, float)):
        raise UnreadableRecord("the record has no ApproximateCreationDateTime")
    return {
        "event_key": event_key,
        "provider": _string(new_image, "provider") or _string(old_image, "provider"),
        "event_type": _string(new_image, "event_type") or _string(old_image, "event_type"),
        "old_status": _string(old_image, "status"),
        "new_status": _string(new_image, "status"),
        "time": iso_utc(float(created)),
        "sequence_number": sequence_number(record),
        "event_name": record.get("eventName"),
    }


def _string(image: Any, name: str) -> str | None:
    if not isinstance(image, dict):
        raise UnreadableRecord("an image is not a map of attributes")
    attribute = image.get(name)
    if attribute is None:
        return None
    if not isinstance(attribute, dict) or not isinstance(attribute.get("S"), str):
        raise UnreadableRecord(f"attribute {name} is not a string")
    return attribute["S"]
