"""The part every Lambda handler shares: its logger and tracer, dependencies built once per container.

A handler keeps its container's dependencies in its own module (`_deps`), so that they outlive one
invocation and can be dropped to start a new container; `begin` builds them on the first call.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from webhook_runtime.structured_log import JsonLogger
from webhook_runtime.tracing import Tracing

Deps = TypeVar("Deps")


class HandlerShell:
    """One service's JSON logger and tracer, and the start of each of its invocations."""

    def __init__(self, service: str) -> None:
        self.log = JsonLogger(service)
        self.tracing = Tracing(service, self.log)

    def begin(self, deps: Deps | None, build_deps: Callable[[], Deps], context: Any) -> tuple[Deps, JsonLogger]:
        """Start tracing the invocation; give the container's dependencies and a logger bound to the request id."""
        self.tracing.begin_invocation()
        if deps is None:
            deps = build_deps()
        return deps, self.log.bind(request_id=getattr(context, "aws_request_id", None))


def required_setting(environ: Mapping[str, str], name: str) -> str:
    """An environment variable the function cannot run without."""
    value = environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value
