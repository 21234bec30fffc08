"""The env's two dead-letter queues: depths, messages as operators read them, tail and purge.

Replay lives in dead_letter_replay.py. Looking at messages never consumes them: they
are received with a visibility timeout and made visible again at once.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import UsageError
from webhookctl.operations.deployment import QUEUES, Deployment, check_queue

HOLD_S = 30  # visibility while a message is being looked at; released right after


@dataclass(frozen=True)
class StreamBatch:
    """An audit-DLQ message names a stream batch (DDBStreamBatchInfo), not its records."""

    stream_arn: str
    shard_id: str
    start_sequence: str
    end_sequence: str
    size: int
    first_arrival: str | None
    last_arrival: str | None


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    message_id: str
    receipt_handle: str = field(repr=False)
    body: str = field(repr=False)
    receive_count: int
    sent_at_ms: int
    error: str | None
    payload: dict[str, Any] | None  # processor DLQ: the receiver's async payload
    batch: StreamBatch | None  # audit DLQ: the failed stream batch
    # The function's own attempts, which looking at the message never raises (receive_count does):
    # the stream's on-failure record says approximateInvokeCount; an async DLQ message says nothing.
    invoke_count: int | None = None

    @property
    def provider(self) -> str | None:
        return (self.payload or {}).get("provider")

    @property
    def event_type(self) -> str | None:
        return (self.payload or {}).get("event_type")

    @property
    def event_key(self) -> str | None:
        return (self.payload or {}).get("event_key")

    def age_s(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        return max(0.0, now - self.sent_at_ms / 1000)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "queue": self.queue,
            "message_id": self.message_id,
            "provider": self.provider,
            "event_type": self.event_type,
            "event_key": self.event_key,
            "error": self.error,
            "receive_count": self.receive_count,
            "invoke_count": self.invoke_count,
            "age_s": round(self.age_s(), 1),
        }
        if self.batch is not None:
            document["stream_batch"] = {
                "shard_id": self.batch.shard_id,
                "start_sequence_number": self.batch.start_sequence,
                "end_sequence_number": self.batch.end_sequence,
                "size": self.batch.size,
            }
        return document


def parse_dead_letter(queue: str, message: dict[str, Any]) -> DeadLetter:
    attributes = message.get("Attributes", {})
    body = message.get("Body", "")
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    document = document if isinstance(document, dict) else {}
    payload = None
    batch = None
    invoke_count = None
    error = _attribute(message, "ErrorMessage") or _attribute(message, "ErrorCode")
    info = document.get("DDBStreamBatchInfo")
    if isinstance(info, dict):
        batch = StreamBatch(
            stream_arn=str(info.get("streamArn", "")),
            shard_id=str(info.get("shardId", "")),
            start_sequence=str(info.get("startSequenceNumber", "")),
            end_sequence=str(info.get("endSequenceNumber", "")),
            size=int(info.get("batchSize") or 0),
            first_arrival=info.get("approximateArrivalOfFirstRecord"),
            last_arrival=info.get("approximateArrivalOfLastRecord"),
        )
        context = document.get("responseContext") or {}
        request = document.get("requestContext") or {}
        error = error or " ".join(str(x) for x in (request.get("condition"), context.get("functionError")) if x) or None
        invoke_count = request.get("approximateInvokeCount")
    elif "event_key" in document:
        payload = {k: document.get(k) for k in ("event_key", "provider", "event_id", "event_type")}
    return DeadLetter(
        queue=queue,
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        body=body,
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        sent_at_ms=int(attributes.get("SentTimestamp", 0)),
        error=error,
        payload=payload,
        batch=batch,
        invoke_count=int(invoke_count) if isinstance(invoke_count, (int, str)) and str(invoke_count).isdigit() else None,
    )


def _attribute(message: dict[str, Any], name: str) -> str | None:
    value = (message.get("MessageAttributes") or {}).get(name) or {}
    return value.get("StringValue")


def receive_batch(ctx: AwsContext, url: str, *, hold_s: int, wait_s: int = 0, count: int = 10) -> list[dict[str, Any]]:
    response = ctx.client("sqs").receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=hold_s,
        WaitTimeSeconds=wait_s,
        AttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        MessageAttributeNames=["All"],
    )
    return response.get("Messages", [])


def release(ctx: AwsContext, url: str, receipt_handles: list[str]) -> None:
    """Make received messages visible again now (batches of 10); a handle already gone is fine."""
    change_visibility(ctx, url, receipt_handles, 0)


def change_visibility(ctx: AwsContext, url: str, receipt_handles: list[str], seconds: int) -> None:
    """Received messages stay invisible `seconds` from now (batches of 10); a handle already gone is fine."""
    client = ctx.client("sqs")
    for start in range(0, len(receipt_handles), 10):
        chunk = receipt_handles[start : start + 10]
        client.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": seconds} for i, handle in enumerate(chunk)],
        )


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    url: str
    visible: int
    in_flight: int
    delayed: int

    def to_json(self) -> dict[str, Any]:
        return {"queue": self.queue, "url": self.url, "visible": self.visible, "in_flight": self.in_flight, "delayed": self.delayed}


@dataclass(frozen=True)
class QueueDepths:
    queues: list[QueueDepth]

    def to_json(self) -> list[dict[str, Any]]:
        return [q.to_json() for q in self.queues]


def queue_depth(ctx: AwsContext, deployment: Deployment, queue: str) -> QueueDepth:
    url = deployment.queue_url(queue)
    attributes = ctx.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]
    return QueueDepth(
        queue=queue,
        url=url,
        visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
    )


def list_queues(ctx: AwsContext, settings: Settings) -> QueueDepths:
    deployment = Deployment(ctx, settings)
    return QueueDepths([queue_depth(ctx, deployment, queue) for queue in QUEUES])


@dataclass(frozen=True)
class Peek:
    queue: str
    url: str
    messages: list[DeadLetter]

    def to_json(self) -> dict[str, Any]:
        return {"queue": self.queue, "url": self.url, "messages": [m.to_json() for m in self.messages]}


def peek(ctx: AwsContext, settings: Settings, *, queue: str = "processor", limit: int = 10) -> Peek:
    """Up to `limit` messages, left in the queue and visible."""
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    check_queue(queue)
    url = Deployment(ctx, settings).queue_url(queue)
    seen: dict[str, DeadLetter] = {}
    handles: list[str] = []
    try:
        while len(seen) < limit:
            messages = receive_batch(ctx, url, hold_s=HOLD_S, count=min(10, limit - len(seen)))
            if not messages:
                break
            for message in messages:
                handles.append(message["ReceiptHandle"])
                letter = parse_dead_letter(queue, message)
                seen.setdefault(letter.message_id, letter)
    finally:
        release(ctx, url, handles)
    return Peek(queue=queue, url=url, messages=sorted(seen.values(), key=lambda m: m.sent_at_ms)[:limit])


def tail(
    ctx: AwsContext,
    settings: Settings,
    *,
    queue: str = "processor",
    interval_s: float = 2.0,
    stop: threading.Event | None = None,
) -> Iterator[DeadLetter]:
    """New arrivals, each once; looks at messages only when the depth says something arrived."""
    check_queue(queue)
    deployment = Deployment(ctx, settings)
    url = deployment.queue_url(queue)
    stop = stop or threading.Event()
    seen: set[str] = set()
    # What is already there is not an arrival.
    for letter in _look(ctx, queue, url):
        seen.add(letter.message_id)
    last_total = -1
    while not stop.is_set():
        depth = queue_depth(ctx, deployment, queue)
        total = depth.visible + depth.in_flight + depth.delayed
        if total != last_total:
            fresh = [letter for letter in _look(ctx, queue, url) if letter.message_id not in seen]
            for letter in sorted(fresh, key=lambda m: m.sent_at_ms):
                seen.add(letter.message_id)
                yield letter
            last_total = total
        stop.wait(interval_s)


def _look(ctx: AwsContext, queue: str, url: str, *, cap: int = 1000) -> list[DeadLetter]:
    letters: dict[str, DeadLetter] = {}
    handles: list[str] = []
    try:
        while len(handles) < cap:
            messages = receive_batch(ctx, url, hold_s=HOLD_S)
            if not messages:
                break
            for message in messages:
                handles.append(message["ReceiptHandle"])
                letter = parse_dead_letter(queue, message)
                letters.setdefault(letter.message_id, letter)
    finally:
        release(ctx, url, handles)
    return list(letters.values())


@dataclass(frozen=True)
class PurgeResult:
    queue: str
    url: str
    purged: int  # approximate: the depth just before the purge
    in_flight: int = 0  # of those, held by a reader at the time (a replay under way or interrupted)

    def to_json(self) -> dict[str, Any]:
        return {"queue": self.queue, "url": self.url, "purged": self.purged, "in_flight": self.in_flight}


def purge(ctx: AwsContext, settings: Settings, *, queue: str = "processor", yes: bool = False) -> PurgeResult:
    check_queue(queue)
    if not yes:
        raise UsageError(f"purging the {queue} DLQ deletes its messages for good; pass --yes to confirm")
    deployment = Deployment(ctx, settings)
    depth = queue_depth(ctx, deployment, queue)
    ctx.client("sqs").purge_queue(QueueUrl=depth.url)
    return PurgeResult(queue=queue, url=depth.url, purged=depth.visible + depth.in_flight + depth.delayed, in_flight=depth.in_flight)
