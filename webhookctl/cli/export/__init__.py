"""`webhookctl export`: the env's desired state in other tools' formats."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.export import cloudformation as _cloudformation

app = command_group("Export the env's desired state (up stays the tool that deploys).", {"cloudformation": _cloudformation.cloudformation})
