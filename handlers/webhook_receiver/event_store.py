"""The events table, as the receiver uses it: insert an event unless its key is already there."""

from __future__ import annotations

from typing import Any


class StoreUnavailable(Exception):
    """The table could not be written (throttled, unreachable, ...): the caller answers 503."""


class DynamoEventStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def insert_if_absent(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """Store `item` unless its event_key exists; then return the existing item instead (else None)."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_attributes(item),
                ConditionExpression="attribute_not_exists(event_key)",
                # The duplicate's stored item comes back with the refusal: no second call.
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return None
        except self._client.exceptions.ConditionalCheckFailedException as refused:
            existing = refused.response.get("Item")
            if existing is None:  # an endpoint that ignores ReturnValuesOnConditionCheckFailure
                existing = self._client.get_item(
                    TableName=self._table, Key={"event_key": {"S": item["event_key"]}}, ConsistentRead=True
                ).get("Item", {})
            return from_attributes(existing)
        except Exception as error:
            raise StoreUnavailable(f"storing the event failed: {type(error).__name__}: {error}") from error


    def mark_handoff_failed(self, event_key: str, at: str) -> bool:
        """Note on a still-RECEIVED event that its hand-off failed, so the next delivery retries it at once."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"event_key": {"S": event_key}},
                UpdateExpression="SET handoff_failed_at = :at",
                ConditionExpression="#status = :received",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":at": {"S": at}, ":received": {"S": "RECEIVED"}},
            )
            return True
        except Exception:  # best effort: without the mark, the duplicate grace period still ends the wait
            return False


def to_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _to_attribute(value) for name, value in item.items()}


def _to_attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": to_attributes(value)}
    raise TypeError(f"cannot store a {type(value).__name__}")


def from_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: _from_attribute(value) for name, value in attributes.items()}


def _from_attribute(attribute: dict[str, Any]) -> Any:
    kind, value = next(iter(attribute.items()))
    if kind == "N":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "M":
        return from_attributes(value)
    return value  # S, BOOL (and anything else, unchanged)
