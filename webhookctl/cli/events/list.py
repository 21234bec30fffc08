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
    from webhookctl.cli.render import emit
    from webhookctl.cli.session import connect_for, settings_for
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
    settings = settings_for(opts)
    ctx = connect_for(opts, settings)
    emit(run(ctx, settings, status=status, provider=provider, limit=limit), opts.output, render_text)


def render_text(result: Any) -> None:
    from rich.table import Table

    from webhookctl.cli.console import console, print_table

    if not result.events:
        console.print("no events")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("RECEIVED AT", "STATUS", "EVENT KEY", "TYPE", "ATTEMPTS"):
        table.add_column(column)
    for event in result.events:
        table.add_row(event.received_at or "-", event.status, event.event_key, event.event_type, str(event.attempts))
    print_table(table)
