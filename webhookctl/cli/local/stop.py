"""`webhookctl local stop`."""

from __future__ import annotations

from webhookctl.cli.options import output_command


@output_command
def stop(offline: tuple[str, str | None]) -> None:
    """Stop the local cloud and its function workers."""
    from webhookctl.cli.local.report import report
    from webhookctl.localcloud import lifecycle

    output, _ = offline
    report(lifecycle.stop(), output, lambda r: f"local cloud stopped (pid {r.pid}, {r.seconds:.1f} s)" if r.stopped else "the local cloud is not running")
