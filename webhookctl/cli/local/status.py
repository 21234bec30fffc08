"""`webhookctl local status`."""

from __future__ import annotations

from webhookctl.cli.options import output_command


@output_command
def status(offline: tuple[str, str | None]) -> None:
    """Whether the local cloud runs, and where."""
    from webhookctl.cli.console import console, info
    from webhookctl.cli.render import emit
    from webhookctl.localcloud import lifecycle

    output, _ = offline
    result = lifecycle.status()
    if result.stale_pid_removed:
        info(f"removed a stale pid file (process {result.stale_pid_removed} is gone)")

    def text(r: lifecycle.LocalStatus) -> None:
        console.print(f"running at {r.endpoint} (pid {r.pid}, log {r.log_file})" if r.running else "not running", markup=False)

    emit(result, output, text)
