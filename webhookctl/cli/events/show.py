"""`webhookctl events show EVENT_KEY`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def show_event(
    event_key: Annotated[str, typer.Argument(help="PROVIDER#EVENT_ID, as `events list` shows it.", show_default=False)],
    *,
    opts: AwsOptions,
) -> None:
    """Show one stored event, without secrets or signature headers."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.operations.events import show_event

    run_and_emit(opts, show_event, render_text, event_key)


def render_text(event: Any) -> None:
    import json

    from rich.markup import escape

    from webhookctl.cli.console import console

    for name, value in event.to_json(detail=False).items():
        console.print(f"{name:<13} {escape(str(value if value is not None else '-'))}")
    if event.headers:
        console.print("headers")
        for name, value in sorted(event.headers.items()):
            console.print(f"  {escape(name)}: {escape(str(value))}")
    if event.body is not None:
        console.print("body")
        text = json.dumps(event.body, indent=2) if not isinstance(event.body, str) else event.body
        console.print(escape(text), soft_wrap=True)
