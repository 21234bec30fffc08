"""The append-only audit log: one log stream per container in the audit log group."""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable

# PutLogEvents limits: a batch holds at most 10,000 events and 1,048,576 bytes (26 bytes of overhead each).
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26


class AuditLog:
    def __init__(self, client: Any, log_group: str, *, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self.log_group = log_group
        self._clock = clock
        self.stream: str | None = None

    def append(self, messages: list[str]) -> None:
        """Write the messages in as few PutLogEvents calls as the limits allow (one, for a stream batch)."""
        if not messages:
            return
        if self.stream is None:
            self._create_stream()
        timestamp = int(self._clock() * 1000)  # arrival time; every event of a batch shares it, so they stay ordered
        for batch in _batches(messages):
            events = [{"timestamp": timestamp, "message": message} for message in batch]
            try:
                self._client.put_log_events(logGroupName=self.log_group, logStreamName=self.stream, logEvents=events)
            except self._client.exceptions.ResourceNotFoundException:
                self._create_stream()  # the stream went away under us: start a new one, once
                self._client.put_log_events(logGroupName=self.log_group, logStreamName=self.stream, logEvents=events)

    def _create_stream(self) -> None:
        name = time.strftime("%Y/%m/%d", time.gmtime(self._clock())) + "/audit/" + uuid.uuid4().hex
        self._client.create_log_stream(logGroupName=self.log_group, logStreamName=name)
        self.stream = name


def _batches(messages: list[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for message in messages:
        cost = len(message.encode("utf-8")) + EVENT_OVERHEAD_BYTES
        if batches[-1] and (len(batches[-1]) >= MAX_BATCH_EVENTS or size + cost > MAX_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(message)
        size += cost
    return batches
