"""`webhookctl dlq purge`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def purge(
    queue: Annotated[str, typer.Option("--queue", help="processor or audit.", metavar="[processor|audit]")] = "processor",
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: the messages are deleted for good.")] = False,
    *,
    opts: AwsOptions,
) -> None:
    """Delete every message of a dead-letter queue (needs --yes)."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.operations.dead_letters import check_queue, purge as run
    from webhookctl.errors import UsageError

    check_queue(queue)
    if not yes:
        raise UsageError(f"purging the {queue} DLQ deletes its messages for good; pass --yes to confirm")
    run_and_emit(opts, run, render_text, queue=queue, yes=yes)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console

    in_flight = f", {result.in_flight} of them in flight (held by a reader)" if result.in_flight else ""
    console.print(f"purged the {result.queue} DLQ (about {result.purged} messages{in_flight})")
