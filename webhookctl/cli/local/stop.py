"""`webhookctl local stop`."""

from __future__ import annotations

from webhookctl.cli.options import output_command


@output_command
def stop(offline: tuple[str, str | None]) -> None:
    """Stop the local cloud and its function workers."""
    from webhookctl.cli.console import console, info
    from webhookctl.cli.render import emit
    from webhookctl.localcloud import lifecycle

    output, _ = offline
    result = lifecycle.stop()
    if result.stale_pid_removed:
        info(f"removed a stale pid file (process {result.stale_pid_removed} is gone)")

    def text(r: lifecycle.StopResult) -> None:
        console.print(f"local cloud stopped (pid {r.pid}, {r.seconds:.1f} s)" if r.stopped else "the local cloud is not running")

    emit(result, output, text)
