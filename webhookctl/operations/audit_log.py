"""`audit tail`: the append-only audit trail, one entry per change of an event."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Iterator

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import NotDeployedError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.log_polling import LogLine, read_log_group

AUDIT_FIELDS = ("event_key", "provider", "event_type", "old_status", "new_status", "time", "sequence_number", "event_name")


@dataclass(frozen=True)
class AuditEntry:
    line: LogLine
    fields: dict[str, Any]  # the audit line's JSON, or {} for a line that is not JSON

    @property
    def event_key(self) -> str | None:
        return self.fields.get("event_key")

    def to_json(self) -> dict[str, Any]:
        document = {name: self.fields.get(name) for name in AUDIT_FIELDS}
        document.update(logged_at=self.line.time, log_event_id=self.line.event_id)
        if not self.fields:
            document["message"] = self.line.message
        return document


@dataclass(frozen=True)
class AuditTail:
    log_group: str
    entries: list[AuditEntry]

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self.entries]


def parse_audit_line(line: LogLine) -> AuditEntry:
    """Audit lines are JSON, possibly after a Lambda log prefix (timestamp, request id, level)."""
    text = line.message
    start = text.find("{")
    fields: dict[str, Any] = {}
    if start >= 0:
        try:
            parsed = json.loads(text[start:])
            fields = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            fields = {}
    return AuditEntry(line=line, fields=fields)


def audit_log_group(ctx: AwsContext, settings: Settings) -> str:
    """The audit log group's name; NotDeployedError when the env has none."""
    deployment = Deployment(ctx, settings)
    group = deployment.names.audit_log_group
    found = ctx.client("logs").describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    if not any(entry.get("logGroupName") == group for entry in found):
        raise NotDeployedError(settings.env)
    return group


def follow_audit(
    ctx: AwsContext,
    settings: Settings,
    *,
    since_ms: int,
    event_key: str | None = None,
    follow: bool = False,
    interval_s: float = 2.0,
    stop: threading.Event | None = None,
) -> Iterator[AuditEntry]:
    group = audit_log_group(ctx, settings)
    for line in read_log_group(ctx, group, since_ms=since_ms, follow=follow, interval_s=interval_s, stop=stop):
        entry = parse_audit_line(line)
        if event_key is None or entry.event_key == event_key:
            yield entry


def tail_audit(ctx: AwsContext, settings: Settings, *, since_ms: int, event_key: str | None = None) -> AuditTail:
    """The audit entries since `since_ms` (one read, no follow)."""
    entries = list(follow_audit(ctx, settings, since_ms=since_ms, event_key=event_key))
    return AuditTail(log_group=Deployment(ctx, settings).names.audit_log_group, entries=entries)
