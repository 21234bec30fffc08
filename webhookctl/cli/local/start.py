"""`webhookctl local start`."""

# No `from __future__ import annotations`: the shared-option decorator hands Typer real annotation objects.
from typing import Annotated

import typer

from webhookctl.cli.options import output_command


@output_command
def start(
    offline: tuple,
    port: Annotated[int, typer.Option("--port", envvar="WEBHOOKCTL_LOCAL_PORT", help="Port to listen on.", show_envvar=True)] = 4566,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    foreground: Annotated[bool, typer.Option("--foreground", help="Stay attached until Ctrl-C.")] = False,
    account_concurrency: Annotated[int, typer.Option("--account-concurrency", help="The account's Lambda concurrency limit.")] = 1000,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="Added delay on every control-plane call.")] = 0,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start with empty state (default: the saved state).")] = False,
) -> None:
    """Start the local cloud (in the background unless --foreground)."""
    from webhookctl.cli.console import info
    from webhookctl.cli.local.report import report
    from webhookctl.config import load_settings
    from webhookctl.localcloud import lifecycle

    output, config = offline
    delays = load_settings("dev", config).local_async_retry_delays_s
    options = dict(port=port, host=host, account_concurrency=account_concurrency, latency_ms=latency_ms, async_retry_delays_s=delays, fresh=fresh)
    if foreground:
        info(f"local cloud on {lifecycle.endpoint_for(port, host)} (Ctrl-C stops it)")
        raise typer.Exit(lifecycle.run_foreground(**options))

    def line(r: lifecycle.StartResult) -> str:
        if r.already_running:
            return f"the local cloud is already running at {r.endpoint} (pid {r.pid})"
        return f"local cloud running at {r.endpoint} (pid {r.pid}, ready in {r.seconds:.1f} s; log {r.log_file})"

    report(lifecycle.start(**options), output, line)
