"""Follow accepted events to the end: PROCESSED in the table and audited, or in the processor DLQ.

Each poll costs a fixed number of calls whatever the event count: BatchGetItem for
the events not yet processed (100 keys a call), one FilterLogEvents scan of the audit
log group once the table has a processed event whose audit line is not yet seen, and
every few seconds the processor DLQ's depth (its messages are looked at only when it has any).
Polls come quickly at first and then back off: a warm pipeline finishes in a tenth of
a second, a cold one takes seconds, and the wait should cost neither a fixed half
second nor a storm of calls.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from webhookctl.operations.audit_log import parse_audit_line
from webhookctl.operations.dead_letters import HOLD_S, parse_dead_letter, queue_depth, receive_batch, release
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.log_polling import WindowedLogPoller, filter_log_events_fetcher, iso_ms

BATCH_GET_KEYS = 100
DLQ_LOOK_EVERY_S = 2.0
DLQ_LOOK_CAP = 200  # messages looked at per check; a deep DLQ is not ours to scan in full
FIRST_INTERVAL_S = 0.05  # then doubling up to the wait's interval


@dataclass
class Completion:
    event_key: str
    status: str | None = None  # RECEIVED | PROCESSED, from the table
    received_at: str | None = None
    processed_at: str | None = None
    attempts: int | None = None
    audited_at: str | None = None  # when the PROCESSED audit line was logged
    processed_lines: int = 0  # audit lines RECEIVED -> PROCESSED; more than one means double processing
    in_dlq: bool = False

    @property
    def done(self) -> bool:
        return self.in_dlq or (self.status == "PROCESSED" and self.audited_at is not None)


class CompletionWatcher:
    def __init__(self, deployment: Deployment, *, since_ms: int, clock: Callable[[], float] = time.time):
        self.deployment = deployment
        self.ctx = deployment.ctx
        self.table = deployment.table_name
        self.dlq_url = deployment.queue_url("processor")
        self._audit = WindowedLogPoller(
            filter_log_events_fetcher(self.ctx, deployment.names.audit_log_group), since_ms=since_ms - 5_000, clock=clock
        )
        self._clock = clock
        # Nothing sent after this watcher was made can be in the DLQ before async retries ran out.
        self._last_dlq_look = clock()
        self.completions: dict[str, Completion] = {}

    def watch(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.completions.setdefault(key, Completion(key))

    def pending(self) -> list[Completion]:
        return [c for c in self.completions.values() if not c.done]

    def poll(self) -> None:
        self._read_items([c.event_key for c in self.completions.values() if c.status != "PROCESSED" and not c.in_dlq])
        # An audit line follows the table's change, so until one shows PROCESSED there is nothing to read.
        if any(c.status == "PROCESSED" and c.audited_at is None for c in self.completions.values()):
            self._read_audit()
        if self.pending() and self._clock() - self._last_dlq_look >= DLQ_LOOK_EVERY_S:
            self._last_dlq_look = self._clock()
            self._look_in_dlq()

    def wait(self, timeout_s: float, *, interval_s: float = 0.5, on_poll: Callable[["CompletionWatcher"], None] | None = None) -> None:
        deadline = time.monotonic() + timeout_s
        pause = min(FIRST_INTERVAL_S, interval_s)
        while True:
            self.poll()
            if on_poll:
                on_poll(self)
            left = deadline - time.monotonic()
            if not self.pending() or left <= 0:
                return
            time.sleep(min(pause, left))
            pause = min(pause * 2, interval_s)

    def _read_items(self, keys: list[str]) -> None:
        client = self.ctx.client("dynamodb")
        for start in range(0, len(keys), BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [{"event_key": {"S": key}} for key in keys[start : start + BATCH_GET_KEYS]],
                    "ProjectionExpression": "event_key, #s, received_at, processed_at, attempts",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ConsistentRead": True,
                }
            }
            # Unprocessed keys are simply read again on the next poll.
            response = client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table, []):
                completion = self.completions.get(item["event_key"]["S"])
                if completion is None:
                    continue
                completion.status = item.get("status", {}).get("S")
                completion.received_at = item.get("received_at", {}).get("S")
                completion.processed_at = item.get("processed_at", {}).get("S")
                if "attempts" in item:
                    completion.attempts = int(item["attempts"]["N"])

    def _read_audit(self) -> None:
        for line in self._audit.poll():
            entry = parse_audit_line(line)
            completion = self.completions.get(entry.event_key or "")
            if completion is None or entry.fields.get("new_status") != "PROCESSED":
                continue
            if entry.fields.get("old_status") == "PROCESSED":
                continue  # a change of a processed item (e.g. TTL bookkeeping) is not a processing
            completion.processed_lines += 1
            completion.audited_at = completion.audited_at or iso_ms(line.timestamp)

    def _look_in_dlq(self) -> None:
        if queue_depth(self.ctx, self.deployment, "processor").visible == 0:
            return
        handles: list[str] = []
        try:
            while len(handles) < DLQ_LOOK_CAP:
                messages = receive_batch(self.ctx, self.dlq_url, hold_s=HOLD_S)
                if not messages:
                    break
                for message in messages:
                    handles.append(message["ReceiptHandle"])
                    completion = self.completions.get(parse_dead_letter("processor", message).event_key or "")
                    if completion is not None and completion.status != "PROCESSED":
                        completion.in_dlq = True
        finally:
            release(self.ctx, self.dlq_url, handles)
