"""`webhookctl secrets`: the env's provider secrets, shown only as fingerprints."""

from __future__ import annotations

import typer

from webhookctl.cli.secrets import list as _list
from webhookctl.cli.secrets import set as _set

app = typer.Typer(help="Provider signing secrets (values are never shown).", no_args_is_help=True)
app.command("set")(_set.set_secret)
app.command("list")(_list.list_secrets)
