"""`webhookctl dlq list`."""

from __future__ import annotations

from typing import Any

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def list_queues(*, opts: AwsOptions) -> None:
    """Depth of each dead-letter queue."""
    from webhookctl.cli.render import emit
    from webhookctl.cli.session import connect_for, settings_for
    from webhookctl.operations.dead_letters import list_queues as run

    settings = settings_for(opts)
    ctx = connect_for(opts, settings)
    emit(run(ctx, settings), opts.output, render_text)


def render_text(result: Any) -> None:
    from rich.table import Table

    from webhookctl.cli.console import console, print_table

    table = Table(box=None, pad_edge=False)
    for column in ("QUEUE", "VISIBLE", "IN FLIGHT", "URL"):
        table.add_column(column)
    for q in result.queues:
        style = "red" if q.visible or q.in_flight else ""
        table.add_row(q.queue, str(q.visible), str(q.in_flight), q.url, style=style)
    print_table(table)
    for q in result.queues:
        if q.in_flight:
            console.print(f"{q.queue} DLQ: {q.in_flight} message(s) in flight, held by a reader; they become visible again when it releases them")
