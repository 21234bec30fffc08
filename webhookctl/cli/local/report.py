"""How `local start`, `stop` and `status` print what the lifecycle did."""

from __future__ import annotations

from typing import Any, Callable


def report(result: Any, output: str, line: Callable[[Any], str]) -> None:
    """Say on stderr that a stale pid file was removed, then print the result: JSON, or its one line of text."""
    from webhookctl.cli.console import console, emit, info

    if result.stale_pid_removed:
        info(f"removed a stale pid file (process {result.stale_pid_removed} is gone)")
    emit(result, output, lambda r: console.print(line(r), markup=False))  # a path or endpoint is data, never markup
