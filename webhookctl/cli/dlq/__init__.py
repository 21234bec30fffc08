"""`webhookctl dlq`: the processor and audit dead-letter queues."""

from __future__ import annotations

import typer

from webhookctl.cli.dlq import list as _list
from webhookctl.cli.dlq import peek as _peek
from webhookctl.cli.dlq import purge as _purge
from webhookctl.cli.dlq import replay as _replay
from webhookctl.cli.dlq import tail as _tail

app = typer.Typer(help="Dead-letter queues: look, follow, replay, purge.", no_args_is_help=True)
app.command("list")(_list.list_queues)
app.command("peek")(_peek.peek)
app.command("tail")(_tail.tail)
app.command("replay")(_replay.replay)
app.command("purge")(_purge.purge)
