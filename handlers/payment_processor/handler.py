"""Lambda entry point of the payment processor: one asynchronous hand-off message per invocation."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from process_event import CannotProcess, ProcessorDeps, parse_message, process_event
from webhook_runtime import aws_clients
from webhook_runtime.structured_log import JsonLogger
from webhook_runtime.tracing import Tracing

SERVICE = "payment_processor"

log = JsonLogger(SERVICE)
tracing = Tracing(SERVICE, log)
_deps: ProcessorDeps | None = None


def build_deps(environ: Any = os.environ) -> ProcessorDeps:
    """Everything the processor talks to, created once per container."""
    table = environ.get("EVENTS_TABLE")
    if not table:
        raise RuntimeError("environment variable EVENTS_TABLE is not set")
    return ProcessorDeps(dynamodb=aws_clients.client("dynamodb"), table=table, log=log, tracing=tracing)


def handler(event: Any, context: Any) -> dict[str, Any]:
    global _deps
    tracing.begin_invocation()
    if _deps is None:
        _deps = build_deps()
    request_log = log.bind(request_id=getattr(context, "aws_request_id", None))
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
