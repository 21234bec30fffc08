"""`webhookctl dlq tail`."""

from __future__ import annotations

from typing import Annotated

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def tail(queue: Annotated[str, typer.Option("--queue", help="processor or audit.", metavar="[processor|audit]")] = "processor", *, opts: AwsOptions) -> None:
    """Follow new arrivals until Ctrl-C (-o json: one JSON object per line)."""
    import json

    from webhookctl.cli.console import console, info, print_table, write_document
    from webhookctl.cli.dlq.peek import letters_table
    from webhookctl.cli.session import connect_for, settings_for
    from webhookctl.operations.dead_letters import tail as run
    from webhookctl.operations.deployment import Deployment, check_queue

    check_queue(queue)
    settings = settings_for(opts)
    ctx = connect_for(opts, settings)
    Deployment(ctx, settings).queue_url(queue)  # not deployed: one error line, not "following" first
    info(f"following the {queue} DLQ; Ctrl-C to stop")
    try:
        for letter in run(ctx, settings, queue=queue):
            if opts.output == "json":
                write_document(json.dumps(letter.to_json()) + "\n")
            else:
                print_table(letters_table([letter]))
    except KeyboardInterrupt:
        info("stopped")
