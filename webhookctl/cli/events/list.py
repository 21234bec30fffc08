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
    from webhookctl.operations.events import list_events as run

    settings = settings_for(opts)
    ctx = connect_for(opts, settings)
    emit(run(ctx, settings, status=status, provider=provider, limit=limit), opts.output, render_text)


def render_text(result: Any) -> None:
    from rich.table import Table

    from webhookctl.cli.console import console

    if not result.events:
        console.print("no events")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("RECEIVED AT", "STATUS", "EVENT KEY", "TYPE", "ATTEMPTS"):
        table.add_column(column)
    for event in result.events:
        table.add_row(event.received_at or "-", event.status, event.event_key, event.event_type, str(event.attempts))
    console.print(table)
