"""`webhookctl local status`."""

from __future__ import annotations

from webhookctl.cli.options import output_command


@output_command
def status(offline: tuple[str, str | None]) -> None:
    """Whether the local cloud runs, and where."""
    from webhookctl.cli.local.report import report
    from webhookctl.localcloud import lifecycle

    output, _ = offline
    report(lifecycle.status(), output, lambda r: f"running at {r.endpoint} (pid {r.pid}, log {r.log_file})" if r.running else "not running")
