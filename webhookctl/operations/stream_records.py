"""The DynamoDB stream records an audit-DLQ message names, as the audit function receives them.

The message holds only the shard and sequence range. Records still in the stream
are re-read; records past the stream's retention (24 h) are rebuilt from the
table items changed in the batch's arrival window, and marked as rebuilt.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.operations.dead_letters import StreamBatch

_GONE = {"TrimmedDataAccessException", "ResourceNotFoundException", "ExpiredIteratorException", "ValidationException"}
_EMPTY_PAGES = 5  # an open shard's tip answers empty pages; stop after a few


@dataclass(frozen=True)
class BatchRecords:
    records: list[dict[str, Any]]  # Lambda event records: {"eventID", "eventName", "dynamodb": {...}, ...}
    rebuilt: bool

    def event_keys(self) -> list[str]:
        keys = []
        for record in self.records:
            key = ((record.get("dynamodb") or {}).get("Keys") or {}).get("event_key", {}).get("S")
            if key:
                keys.append(key)
        return keys

    def images(self) -> list[dict[str, Any]]:
        return [(r.get("dynamodb") or {}).get("NewImage") or (r.get("dynamodb") or {}).get("OldImage") or {} for r in self.records]

    def event(self) -> dict[str, Any]:
        return {"Records": self.records}


def load_batch_records(ctx: AwsContext, batch: StreamBatch, table_name: str) -> BatchRecords:
    records = read_stream_range(ctx, batch)
    if records:
        return BatchRecords(records=records, rebuilt=False)
    return BatchRecords(records=rebuild_from_table(ctx, batch, table_name), rebuilt=True)


def read_stream_range(ctx: AwsContext, batch: StreamBatch) -> list[dict[str, Any]]:
    """The shard's records from start to end sequence number; [] when they are no longer in the stream."""
    import botocore.exceptions

    if not (batch.stream_arn and batch.shard_id and batch.start_sequence.isdigit()):
        return []
    client = ctx.client("dynamodbstreams")
    start, end = int(batch.start_sequence), int(batch.end_sequence or batch.start_sequence)
    records: list[dict[str, Any]] = []
    try:
        iterator = client.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch.start_sequence,
        )["ShardIterator"]
        empty = 0
        while iterator and empty < _EMPTY_PAGES:
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            iterator = page.get("NextShardIterator")
            if not page.get("Records"):
                empty += 1
                continue
            empty = 0
            for record in page["Records"]:
                sequence = int(record["dynamodb"]["SequenceNumber"])
                if sequence > end:
                    return records
                if sequence >= start:
                    records.append(lambda_record(record, batch.stream_arn, ctx.region))
            if int(page["Records"][-1]["dynamodb"]["SequenceNumber"]) >= end:
                return records
    except botocore.exceptions.ParamValidationError:
        return []  # a malformed shard or stream name cannot be read back
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _GONE:
            return []
        raise
    return records


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda hands to the function."""
    dynamodb = dict(record.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": record.get("eventSource", "aws:dynamodb"),
        "awsRegion": record.get("awsRegion", region),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def rebuild_from_table(ctx: AwsContext, batch: StreamBatch, table_name: str, *, slack_s: int = 2) -> list[dict[str, Any]]:
    """Records for the items changed in the batch's arrival window: the best the table can still tell."""
    first, last = _parse_time(batch.first_arrival), _parse_time(batch.last_arrival)
    if first is None and last is None:
        return []
    low = _iso((first or last) - timedelta(seconds=slack_s))
    high = _iso((last or first) + timedelta(seconds=slack_s))
    request: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "(received_at BETWEEN :low AND :high) OR (processed_at BETWEEN :low AND :high)",
        "ExpressionAttributeValues": {":low": {"S": low}, ":high": {"S": high}},
    }
    records = []
    for page in ctx.client("dynamodb").get_paginator("scan").paginate(**request):
        for item in page.get("Items", []):
            records.append(_rebuilt_record(item, batch, ctx.region, low, high))
    return records


def _rebuilt_record(item: dict[str, Any], batch: StreamBatch, region: str, low: str, high: str) -> dict[str, Any]:
    processed_in_window = low <= item.get("processed_at", {}).get("S", "") <= high
    dynamodb: dict[str, Any] = {
        "Keys": {"event_key": item["event_key"]},
        "NewImage": item,
        "SequenceNumber": batch.start_sequence,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if processed_in_window:
        # The change that failed was RECEIVED -> PROCESSED; the old image is the item before it.
        old = copy.deepcopy(item)
        old["status"] = {"S": "RECEIVED"}
        old.pop("processed_at", None)
        dynamodb["OldImage"] = old
    return {
        "eventID": f"rebuilt-{item['event_key']['S']}",
        "eventName": "MODIFY" if processed_in_window else "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": batch.stream_arn,
        "webhookctlRebuilt": True,
    }


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
