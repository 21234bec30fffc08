"""Audit one stream batch: a line per record, the failures reported by sequence number."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from audit_line import UnreadableRecord, audit_line, sequence_number
from audit_log import AuditLog
from webhook_runtime.structured_log import JsonLogger
from webhook_runtime.tracing import Tracing


class RecordWithoutSequenceNumber(Exception):
    """A record that cannot be named in batchItemFailures: fail the whole batch instead."""


@dataclass(frozen=True)
class AuditDeps:
    audit_log: AuditLog
    log: JsonLogger
    tracing: Tracing


@dataclass
class BatchResult:
    logged: list[str] = field(default_factory=list)  # sequence numbers written
    failed: list[str] = field(default_factory=list)  # sequence numbers to retry
    event_keys: list[str] = field(default_factory=list)  # of the lines written

    def to_response(self) -> dict[str, Any]:
        """The ReportBatchItemFailures answer."""
        return {"batchItemFailures": [{"itemIdentifier": number} for number in self.failed]}


def record_audit(records: list[Any], deps: AuditDeps) -> BatchResult:
    result = BatchResult()
    lines: list[tuple[str, str]] = []
    keys: list[str] = []
    for record in records:
        number = sequence_number(record)
        if number is None:
            raise RecordWithoutSequenceNumber("a stream record has no dynamodb.SequenceNumber")
        try:
            line = audit_line(record)
        except UnreadableRecord as error:
            deps.log.error("cannot audit a stream record", sequence_number=number, error=str(error))
            result.failed.append(number)
            continue
        lines.append((number, json.dumps(line, separators=(",", ":"))))
        keys.append(line["event_key"])
    with deps.tracing.subsegment("store"):
        try:
            deps.audit_log.append([text for _, text in lines])
        except Exception as error:  # nothing of this batch is known to be written: retry all of it
            deps.log.exception("writing the audit log failed", error, log_group=deps.audit_log.log_group)
            result.failed.extend(number for number, _ in lines)
            return result
    result.logged.extend(number for number, _ in lines)
    result.event_keys.extend(keys)
    return result
