"""`webhookctl alarms`: the env's CloudWatch alarms."""

from __future__ import annotations

import typer

from webhookctl.cli.alarms import test as _test

app = typer.Typer(help="CloudWatch alarms: check that notifications arrive.", no_args_is_help=True)
app.command("test")(_test.test)
