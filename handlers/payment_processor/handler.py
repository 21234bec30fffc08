"""Lambda entry point of the payment processor: one asynchronous hand-off message per invocation."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from process_event import CannotProcess, ProcessorDeps, parse_message, process_event
from webhook_runtime import aws_clients
from webhook_runtime.handler_shell import HandlerShell, required_setting

SERVICE = "payment_processor"

shell = HandlerShell(SERVICE)
log, tracing = shell.log, shell.tracing
_deps: ProcessorDeps | None = None


def build_deps(environ: Any = os.environ) -> ProcessorDeps:
    """Everything the processor talks to, created once per container."""
    table = required_setting(environ, "EVENTS_TABLE")
    return ProcessorDeps(dynamodb=aws_clients.client("dynamodb"), table=table, log=log, tracing=tracing)


def handler(event: Any, context: Any) -> dict[str, Any]:
    global _deps
    _deps, request_log = shell.begin(_deps, build_deps, context)
    event_key = event.get("event_key") if isinstance(event, dict) else None
    try:
        message = parse_message(event)
        result = process_event(message, dataclasses.replace(_deps, log=request_log))
    except CannotProcess as error:
        # Raising makes Lambda retry the event, then put it in the processor DLQ.
        request_log.error("cannot process the event", event_key=event_key, error=str(error))
        raise
    request_log.info(result.outcome.replace("_", " "), event_key=result.event_key, attempts=result.attempts,
                     event_type=message.event_type)
    return dataclasses.asdict(result)
