"""`webhookctl logs receiver|processor|audit`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def logs(
    function: Annotated[str, typer.Argument(help="receiver, processor or audit.", metavar="receiver|processor|audit", show_default=False)],
    since: Annotated[str, typer.Option("--since", help="How far back: 15m, 2h, 1d, or an ISO-8601 time.")] = "15m",
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines until Ctrl-C.")] = False,
    *,
    opts: AwsOptions,
) -> None:
    """Print a function's log lines, each once (-o json with --follow: one JSON object per line)."""
    from webhookctl.cli.console import emit, info, stream_items
    from webhookctl.cli.session import connected
    from webhookctl.config import FUNCTIONS
    from webhookctl.errors import UsageError
    from webhookctl.operations.function_logs import follow_function_logs, read_function_logs
    from webhookctl.operations.log_polling import parse_since

    if function not in FUNCTIONS:
        raise UsageError(f"FUNCTION must be one of {', '.join(FUNCTIONS)} (got {function!r})")
    since_ms = parse_since(since)
    settings, ctx = connected(opts)
    if not follow:
        emit(read_function_logs(ctx, settings, function, since_ms=since_ms), opts.output, render_text)
        return
    info(f"following the {function} function's logs; Ctrl-C to stop")
    stream_items(follow_function_logs(ctx, settings, function, since_ms=since_ms, follow=True), opts.output, render_line)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console, info

    if not result.lines:
        console.print(f"no log lines in {result.log_group} in that window", markup=False)
        return
    info(f"the {result.function} function's log group {result.log_group}")
    for line in result.lines:
        render_line(line)


def render_line(line: Any) -> None:
    from rich.markup import escape

    from webhookctl.cli.console import console

    console.print(f"[dim]{line.time}[/dim] {escape(line.stream)} {escape(line.message)}")
