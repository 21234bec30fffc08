"""Where each accepted event ended: PROCESSED, in the processor DLQ, or nowhere (lost).

Following uses CompletionWatcher (a fixed number of calls per poll, whatever the count). Double
processing is judged on two independent records: the processor's `attempts` counter (it grows
only with a RECEIVED -> PROCESSED change) and the audit trail's RECEIVED -> PROCESSED lines,
counted once per stream sequence number so that a re-logged batch is not mistaken for a second
processing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from webhookctl.operations.audit_log import parse_audit_line
from webhookctl.operations.completion import CompletionWatcher
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.log_polling import read_log_group


@dataclass(frozen=True)
class EventFate:
    event_key: str
    status: str | None  # RECEIVED | PROCESSED from the table; None when the item is missing
    attempts: int | None
    in_dlq: bool
    transitions: int  # distinct RECEIVED -> PROCESSED audit records

    @property
    def processed(self) -> bool:
        return self.status == "PROCESSED"

    @property
    def lost(self) -> bool:
        return not self.processed and not self.in_dlq

    @property
    def processed_twice(self) -> bool:
        return (self.attempts or 0) > 1 or self.transitions > 1

    @property
    def unaudited(self) -> bool:
        return self.processed and self.transitions == 0


def follow_events(
    deployment: Deployment,
    event_keys: Iterable[str],
    *,
    since_ms: int,
    timeout_s: float,
    on_poll: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, EventFate]:
    """Wait up to `timeout_s` for every event to be PROCESSED and audited, or dead-lettered; then judge each."""
    keys = sorted(set(event_keys))
    watcher = CompletionWatcher(deployment, since_ms=since_ms)
    watcher.watch(keys)
    watcher.wait(timeout_s, on_poll=lambda w: on_poll(len(keys) - len(w.pending()), len(keys)))
    transitions = processed_transitions(deployment, since_ms=since_ms)
    fates = {}
    for key in keys:
        completion = watcher.completions[key]
        fates[key] = EventFate(
            event_key=key,
            status=completion.status,
            attempts=completion.attempts,
            in_dlq=completion.in_dlq and completion.status != "PROCESSED",
            transitions=len(transitions.get(key, ())),
        )
    return fates


def processed_transitions(deployment: Deployment, *, since_ms: int) -> dict[str, set[str]]:
    """event_key -> the stream sequence numbers of its RECEIVED -> PROCESSED audit lines."""
    found: dict[str, set[str]] = defaultdict(set)
    for line in read_log_group(deployment.ctx, deployment.names.audit_log_group, since_ms=since_ms - 5_000):
        fields = parse_audit_line(line).fields
        if fields.get("old_status") == "RECEIVED" and fields.get("new_status") == "PROCESSED" and fields.get("event_key"):
            found[fields["event_key"]].add(str(fields.get("sequence_number") or line.event_id))
    return found
