"""`logs receiver|processor|audit`: a function's own log lines."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterator

from webhookctl.aws import AwsContext
from webhookctl.config import FUNCTIONS, Settings
from webhookctl.errors import UsageError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.log_polling import LogLine, read_log_group


@dataclass(frozen=True)
class FunctionLogs:
    function: str
    log_group: str
    lines: list[LogLine]

    def to_json(self) -> dict[str, Any]:
        return {"function": self.function, "log_group": self.log_group, "lines": [line.to_json() for line in self.lines]}


def function_log_group(ctx: AwsContext, settings: Settings, function: str) -> str:
    """The function's log group; NotDeployedError when the function does not exist (the group may not yet)."""
    if function not in FUNCTIONS:
        raise UsageError(f"FUNCTION must be one of {', '.join(FUNCTIONS)} (got {function!r})")
    deployment = Deployment(ctx, settings)
    deployment.function(function)
    return deployment.names.function_log_group(function)


def follow_function_logs(
    ctx: AwsContext,
    settings: Settings,
    function: str,
    *,
    since_ms: int,
    follow: bool = False,
    interval_s: float = 2.0,
    stop: threading.Event | None = None,
) -> Iterator[LogLine]:
    group = function_log_group(ctx, settings, function)
    yield from read_log_group(ctx, group, since_ms=since_ms, follow=follow, interval_s=interval_s, stop=stop)


def read_function_logs(ctx: AwsContext, settings: Settings, function: str, *, since_ms: int) -> FunctionLogs:
    group = function_log_group(ctx, settings, function)
    lines = list(read_log_group(ctx, group, since_ms=since_ms))
    return FunctionLogs(function=function, log_group=group, lines=lines)
