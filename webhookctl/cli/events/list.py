"""`webhookctl events list`."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def list_events(
    status: Annotated[Optional[str], typer.Option("--status", help="RECEIVED or PROCESSED.", metavar="S")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", help="Only this provider.", metavar="P")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.", metavar="N")] = 20,
    *,
    opts: AwsOptions,
) -> None:
    """List stored events, newest first."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.errors import UsageError
    from webhookctl.operations.events import STATUSES, list_events as run
    from webhookctl.operations.providers import check_provider

    # Usage errors before credentials or the endpoint: they are what the user can fix right now.
    if status is not None and status.upper() not in STATUSES:
        raise UsageError(f"--status must be one of {', '.join(STATUSES)} (got {status!r})")
    if provider is not None:
        check_provider(provider, option="--provider")
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    run_and_emit(opts, run, render_text, status=status, provider=provider, limit=limit)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console, new_table, print_table

    if not result.events:
        console.print("no events")
        return
    table = new_table("RECEIVED AT", "STATUS", "EVENT KEY", "TYPE", "ATTEMPTS")
    for event in result.events:
        table.add_row(event.received_at or "-", event.status, event.event_key, event.event_type, str(event.attempts))
    print_table(table)
