"""`webhookctl events`: the stored events."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.events import list as _list
from webhookctl.cli.events import show as _show

app = command_group("Stored events (never secrets or signature headers).", {"list": _list.list_events, "show": _show.show_event})
