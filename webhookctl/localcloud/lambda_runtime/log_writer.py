"""Function output into CloudWatch Logs (moto's in-process backend), as Lambda writes it."""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

TAIL_BYTES = 4096


def _logs_backend(account: str, region: str) -> Any:
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    return get_backend("logs")[account][region]


def _function_exists(account: str, region: str, function: str) -> bool:
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    try:
        get_backend("lambda")[account][region].get_function(function, None)
    except Exception:  # moto raises its UnknownFunctionException
        return False
    return True


class FunctionLogs:
    """Writes each invocation's lines to /aws/lambda/<name>, creating group and stream as Lambda does.

    An invocation still running when its function is deleted (e.g. by `down`) finishes after the
    group may have been deleted too; re-creating the group then would leave a resource behind that
    nothing owns, so a missing group is created only while the function exists.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def write(self, account: str, region: str, function: str, group: str, stream: str, events: list[list]) -> None:
        if not events:
            return
        backend = _logs_backend(account, region)
        log_events = [{"timestamp": int(ts), "message": message} for ts, message in events]
        with self._lock:
            log_group = backend.groups.get(group)
            if log_group is None:
                if not _function_exists(account, region, function):
                    return  # the function was deleted while this invocation ran: its lines go nowhere
                backend.ensure_log_group(group)
                log_group = backend.groups[group]
            if stream not in log_group.streams:
                log_group.create_log_stream(stream)
            log_group.streams[stream].put_log_events(log_events)


def report_lines(request_id: str, version: str, duration_ms: float, memory_mb: int, max_rss_mb: int,
                 init_ms: float | None, status: str | None = None) -> tuple[str, str]:
    """The END and REPORT lines Lambda writes after every invocation."""
    billed = max(1, int(-(-duration_ms // 1)))
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {max_rss_mb or 1} MB"
    )
    if init_ms is not None:
        report += f"\tInit Duration: {init_ms:.2f} ms"
    if status:
        report += f"\tStatus: {status}"
    return f"END RequestId: {request_id}", report


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def tail(events: list[list]) -> str:
    """LogType=Tail: the last 4 KB of the invocation's log, base64."""
    text = "".join(message + "\n" for _, message in events).encode("utf-8")
    return base64.b64encode(text[-TAIL_BYTES:]).decode()


def now_ms() -> int:
    return int(time.time() * 1000)
