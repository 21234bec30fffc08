"""`webhookctl secrets`: the env's provider secrets, shown only as fingerprints."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.secrets import list as _list
from webhookctl.cli.secrets import set as _set

app = command_group("Provider signing secrets (values are never shown).", {"set": _set.set_secret, "list": _list.list_secrets})
