"""`webhookctl dlq peek`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def peek(
    queue: Annotated[str, typer.Option("--queue", help="processor or audit.", metavar="[processor|audit]")] = "processor",
    limit: Annotated[int, typer.Option("--limit", help="At most this many messages.", metavar="N")] = 10,
    *,
    opts: AwsOptions,
) -> None:
    """Show messages without consuming them: provider, event type, error, receive count, age."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.errors import UsageError
    from webhookctl.operations.dead_letters import peek as run
    from webhookctl.operations.deployment import check_queue

    # Usage errors before credentials or the endpoint.
    check_queue(queue)
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    run_and_emit(opts, run, render_text, queue=queue, limit=limit)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console, print_table

    if not result.messages:
        console.print(f"the {result.queue} DLQ is empty")
        return
    print_table(letters_table(result.messages))


def letters_table(letters: list[Any]) -> Any:
    from webhookctl.cli.console import new_table

    table = new_table("AGE", "INVOKES", "RECEIVES", "PROVIDER", "EVENT TYPE", "EVENT / BATCH", "ERROR")
    for letter in letters:
        what = letter.event_key or (
            f"shard {letter.batch.shard_id} seq {letter.batch.start_sequence}..{letter.batch.end_sequence} ({letter.batch.size})" if letter.batch else letter.message_id
        )
        table.add_row(_age(letter.age_s()), "-" if letter.invoke_count is None else str(letter.invoke_count), str(letter.receive_count), letter.provider or "-", letter.event_type or "-", what, letter.error or "-")
    return table


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"
