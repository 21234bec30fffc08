"""`webhookctl dlq list`."""

from __future__ import annotations

from typing import Any

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def list_queues(*, opts: AwsOptions) -> None:
    """Depth of each dead-letter queue."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.operations.dead_letters import list_queues

    run_and_emit(opts, list_queues, render_text)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console, new_table, print_table

    table = new_table("QUEUE", "VISIBLE", "IN FLIGHT", "URL")
    for q in result.queues:
        style = "red" if q.visible or q.in_flight else ""
        table.add_row(q.queue, str(q.visible), str(q.in_flight), q.url, style=style)
    print_table(table)
    for q in result.queues:
        if q.in_flight:
            console.print(f"{q.queue} DLQ: {q.in_flight} message(s) in flight, held by a reader; they become visible again when it releases them")
