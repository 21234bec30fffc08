"""`webhookctl audit tail`."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def tail(
    since: Annotated[str, typer.Option("--since", help="How far back: 15m, 2h, 1d, or an ISO-8601 time.")] = "15m",
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new entries until Ctrl-C.")] = False,
    event: Annotated[Optional[str], typer.Option("--event", help="Only this event.", metavar="EVENT_KEY")] = None,
    *,
    opts: AwsOptions,
) -> None:
    """Print the audit trail, each entry once (-o json with --follow: one JSON object per line)."""
    from webhookctl.cli.console import emit, info, stream_items
    from webhookctl.cli.session import connected
    from webhookctl.operations.audit_log import follow_audit, tail_audit
    from webhookctl.operations.log_polling import parse_since

    since_ms = parse_since(since)
    settings, ctx = connected(opts)
    if not follow:
        emit(tail_audit(ctx, settings, since_ms=since_ms, event_key=event), opts.output, render_text)
        return
    info("following the audit trail; Ctrl-C to stop")
    stream_items(follow_audit(ctx, settings, since_ms=since_ms, event_key=event, follow=True), opts.output, render_entry)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console

    if not result.entries:
        console.print("no audit entries in that window")
    for entry in result.entries:
        render_entry(entry)


def render_entry(entry: Any) -> None:
    from rich.markup import escape

    from webhookctl.cli.console import console

    f = entry.fields
    if not f:
        console.print(f"{entry.line.time}  {escape(entry.line.message)}")
        return
    change = f"{f.get('old_status') or '-'} -> {f.get('new_status') or '-'}"
    when = f"{f.get('event_name')} at {f.get('time')}, sequence number {f.get('sequence_number')}"
    console.print(f"{entry.line.time}  {escape(str(f.get('event_key')))}  {escape(str(f.get('event_type')))}  {change}  ({escape(when)})")
