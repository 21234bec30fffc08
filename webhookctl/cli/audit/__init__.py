"""`webhookctl audit`: the append-only audit trail."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.audit import tail as _tail

app = command_group("The audit trail of every event change.", {"tail": _tail.tail})
