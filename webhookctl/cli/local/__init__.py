"""`webhookctl local …`: run the embedded local cloud."""

from __future__ import annotations

import typer

from webhookctl.cli.local import chaos, reset, start, status, stop

app = typer.Typer(help="Run the local cloud: an AWS-compatible endpoint on this machine.", no_args_is_help=True)
app.command("start")(start.start)
app.command("stop")(stop.stop)
app.command("status")(status.status)
app.command("chaos")(chaos.chaos)
app.command("reset")(reset.reset)
