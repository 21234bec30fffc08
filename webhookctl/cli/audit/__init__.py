"""`webhookctl audit`: the append-only audit trail."""

from __future__ import annotations

import typer

from webhookctl.cli.audit import tail as _tail

app = typer.Typer(help="The audit trail of every event change.", no_args_is_help=True)
app.command("tail")(_tail.tail)
