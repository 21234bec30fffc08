"""`webhookctl events`: the stored events."""

from __future__ import annotations

import typer

from webhookctl.cli.events import list as _list
from webhookctl.cli.events import show as _show

app = typer.Typer(help="Stored events (never secrets or signature headers).", no_args_is_help=True)
app.command("list")(_list.list_events)
app.command("show")(_show.show_event)
