"""`webhookctl export`: the env's desired state in other tools' formats."""

from __future__ import annotations

import typer

from webhookctl.cli.export import cloudformation as _cloudformation

app = typer.Typer(help="Export the env's desired state (up stays the tool that deploys).", no_args_is_help=True)
app.command("cloudformation")(_cloudformation.cloudformation)
