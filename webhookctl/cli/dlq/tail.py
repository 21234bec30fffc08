"""`webhookctl dlq tail`."""

from __future__ import annotations

from typing import Annotated

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def tail(queue: Annotated[str, typer.Option("--queue", help="processor or audit.", metavar="[processor|audit]")] = "processor", *, opts: AwsOptions) -> None:
    """Follow new arrivals until Ctrl-C (-o json: one JSON object per line)."""
    from webhookctl.cli.console import info, print_table, stream_items
    from webhookctl.cli.dlq.peek import letters_table
    from webhookctl.cli.session import connected
    from webhookctl.operations.dead_letters import tail as run
    from webhookctl.operations.deployment import Deployment, check_queue

    check_queue(queue)
    settings, ctx = connected(opts)
    Deployment(ctx, settings).queue_url(queue)  # not deployed: one error line, not "following" first
    info(f"following the {queue} DLQ; Ctrl-C to stop")
    stream_items(run(ctx, settings, queue=queue), opts.output, lambda letter: print_table(letters_table([letter])))
