"""`webhookctl dlq replay`."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def replay(
    queue: Annotated[str, typer.Option("--queue", help="processor or audit.", metavar="[processor|audit]")] = "processor",
    max_messages: Annotated[Optional[int], typer.Option("--max", help="Replay at most this many messages.", metavar="N")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", help="Only this provider's events.", metavar="P")] = None,
    event_type: Annotated[Optional[str], typer.Option("--event-type", help="Only this event type.", metavar="T")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the candidates; change nothing.")] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Replays in flight at once.", metavar="N")] = 32,
    rate: Annotated[float, typer.Option("--rate", help="At most this many replays per second (0: no limit).", metavar="PER_S")] = 200.0,
    *,
    opts: AwsOptions,
) -> None:
    """Re-drive dead letters into the function that failed them; delete each only once it succeeded."""
    from webhookctl.cli.console import abort, emit, progress_bar
    from webhookctl.cli.session import connected
    from webhookctl.operations.dead_letter_replay import check_replay_options, replay_dead_letters

    # Usage errors before credentials or the endpoint: they are what the user can fix right now.
    check_replay_options(queue, provider, max_messages, concurrency, rate)
    settings, ctx = connected(opts)
    with progress_bar() as bar:
        task = bar.add_task(("listing" if dry_run else "replaying") + f" the {queue} DLQ", total=None)

        def advance(result: Any) -> None:  # the replay counts the queue as it starts: no call of its own here
            bar.update(task, total=result.expected or None, completed=result.candidates if dry_run else result.replayed)

        result = replay_dead_letters(ctx, settings, queue=queue, max_messages=max_messages, provider=provider, event_type=event_type,
                                     dry_run=dry_run, concurrency=concurrency, rate=rate, progress=advance)
    emit(result, opts.output, render_text)
    if result.interrupted:
        from webhookctl.operations.held_messages import EXIT_CODE_BY_SIGNAL

        abort(f"interrupted by {result.interrupted}: {result.succeeded} replayed and deleted, {result.released} made visible again",
              code=EXIT_CODE_BY_SIGNAL.get(result.interrupted, 1), hint=f"run again to replay the rest: webhookctl dlq replay --queue {queue}")
    if result.in_flight_at_start:
        abort(f"{result.in_flight_at_start} message(s) of the {queue} DLQ were in flight (held by another reader) and were not replayed",
              hint="they become visible when that reader releases them or its visibility timeout runs out; then run the replay again")
    if result.failed:
        abort(f"{result.failed} message(s) failed again and stay in the {queue} DLQ", hint=f"see: webhookctl dlq peek --queue {queue}")


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console, new_table, print_table

    if result.messages:
        table = new_table("OUTCOME", "INVOKES", "RECEIVES", "PROVIDER", "EVENT TYPE", "EVENTS", "NOTE")
        for m in result.messages[:50]:
            note = m.error or ("rebuilt from the table (past the stream's retention)" if m.rebuilt else "")
            table.add_row(m.outcome, "-" if m.invokes is None else str(m.invokes), str(m.receive_count), m.provider or "-", m.event_type or "-", ", ".join(m.event_keys) or "-", note)
        print_table(table)
        if len(result.messages) > 50:
            console.print(f"... and {len(result.messages) - 50} more")
    if result.dry_run:
        console.print(f"dry run: {result.candidates} candidate(s) in the {result.queue} DLQ; nothing changed")
    else:
        console.print(
            f"{result.queue} DLQ: {result.candidates} candidate(s), {result.succeeded} replayed and deleted, "
            f"{result.failed} failed and kept, {result.skipped} not matching, {result.in_flight_at_start} in flight; {result.seconds:.2f} s"
        )
    if result.rebuilt:
        console.print(f"{result.rebuilt} batch(es) were rebuilt from the table: their stream records were past retention")
