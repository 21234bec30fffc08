"""`webhookctl local …`: run the embedded local cloud."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.local import chaos, reset, start, status, stop

app = command_group(
    "Run the local cloud: an AWS-compatible endpoint on this machine.",
    {"start": start.start, "stop": stop.stop, "status": status.status, "chaos": chaos.chaos, "reset": reset.reset},
)
