"""RuntimeState: the Lambda runtime's own state (queued async events, stream positions, DeadLetterConfigs).

moto does not hold these: the runtime does, in memory. They are journaled as they change and
saved in the server's snapshot, so after a restart every accepted Event invocation is delivered
(or dead-lettered) and every stream mapping goes on where it stopped.
"""

from __future__ import annotations

import threading
from typing import Any

from webhookctl.localcloud.lambda_runtime.durability import RuntimeDurability
from webhookctl.localcloud.persistence.durable import DurableState

_EVENT_FIELDS = ("account", "region", "function", "qualifier", "payload", "request_id", "trace_id", "enqueued_at")


class RuntimeState(RuntimeDurability):
    def __init__(self, state: DurableState, runtime: Any):
        self.state = state
        self.runtime = runtime
        self._lock = threading.Lock()
        self.pending: dict[str, dict[str, Any]] = {}  # request id -> the event as accepted
        self.cursors: dict[str, tuple[str, int]] = {}  # mapping uuid -> (shard token, next index)

    # -- the runtime's hooks ---------------------------------------------------------------------
    def async_submitted(self, event: Any) -> None:
        fields = {name: getattr(event, name) for name in _EVENT_FIELDS}
        with self.state.guard():
            with self._lock:
                self.pending[event.request_id] = fields
            self.state.record(("async.submit", fields))

    def async_finished(self, event: Any) -> None:
        with self.state.guard():
            with self._lock:
                self.pending.pop(event.request_id, None)
            self.state.record(("async.done", event.request_id))

    def stream_position(self, mapping_uuid: str) -> tuple[str, int] | None:
        with self._lock:
            return self.cursors.get(mapping_uuid)

    def stream_moved(self, mapping_uuid: str, token: str, cursor: int) -> None:
        with self.state.guard():
            with self._lock:
                self.cursors[mapping_uuid] = (token, cursor)
            self.state.record(("stream.at", mapping_uuid, token, cursor))

    # -- snapshot and restart ----------------------------------------------------------------------
    def capture(self) -> dict[str, Any]:
        with self._lock:
            return {"pending": dict(self.pending), "cursors": dict(self.cursors),
                    "dead_letters": self.runtime.dead_letters.export()}

    def restore(self, saved: dict[str, Any]) -> None:
        self.pending = dict(saved.get("pending", {}))
        self.cursors = dict(saved.get("cursors", {}))
        self.runtime.dead_letters.load(saved.get("dead_letters", []))

    def redo(self, entry: tuple) -> None:
        kind = entry[0]
        if kind == "async.submit":
            self.pending[entry[1]["request_id"]] = entry[1]
        elif kind == "async.done":
            self.pending.pop(entry[1], None)
        elif kind == "stream.at":
            self.cursors[entry[1]] = (entry[2], entry[3])

    def resubmit(self) -> int:
        """Queue again every event accepted but not finished before the restart (the runtime has started)."""
        from webhookctl.localcloud.lambda_runtime.async_invocations import QueuedEvent

        with self._lock:
            events = sorted(self.pending.values(), key=lambda fields: fields["enqueued_at"])
        for fields in events:
            self.runtime.async_invoker.submit(QueuedEvent(**fields))
        return len(events)
