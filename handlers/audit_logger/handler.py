"""Lambda entry point of the audit logger: a DynamoDB stream batch in, batchItemFailures out."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from audit_log import AuditLog
from record_audit import AuditDeps, record_audit
from webhook_runtime import aws_clients
from webhook_runtime.handler_shell import HandlerShell, required_setting

SERVICE = "audit_logger"

shell = HandlerShell(SERVICE)
log, tracing = shell.log, shell.tracing
_deps: AuditDeps | None = None


def build_deps(environ: Any = os.environ) -> AuditDeps:
    """The audit log (its stream is created on the first write), once per container."""
    log_group = required_setting(environ, "AUDIT_LOG_GROUP")
    return AuditDeps(audit_log=AuditLog(aws_clients.client("logs"), log_group), log=log, tracing=tracing)


def handler(event: Any, context: Any) -> dict[str, Any]:
    global _deps
    _deps, request_log = shell.begin(_deps, build_deps, context)
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise ValueError("the event is not a DynamoDB stream batch (no Records list)")
    result = record_audit(records, dataclasses.replace(_deps, log=request_log))
    request_log.info("audited", records=len(records), logged=len(result.logged), failed=len(result.failed),
                     event_keys=result.event_keys, log_stream=_deps.audit_log.stream)
    return result.to_response()
