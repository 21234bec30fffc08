"""`webhookctl dlq`: the processor and audit dead-letter queues."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.dlq import list as _list
from webhookctl.cli.dlq import peek as _peek
from webhookctl.cli.dlq import purge as _purge
from webhookctl.cli.dlq import replay as _replay
from webhookctl.cli.dlq import tail as _tail

app = command_group(
    "Dead-letter queues: look, follow, replay, purge.",
    {"list": _list.list_queues, "peek": _peek.peek, "tail": _tail.tail, "replay": _replay.replay, "purge": _purge.purge},
)
