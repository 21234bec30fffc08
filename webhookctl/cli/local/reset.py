"""`webhookctl local reset`."""

# No `from __future__ import annotations`: the shared-option decorator hands Typer real annotation objects.
from typing import Annotated

import typer

from webhookctl.cli.options import output_command


@output_command
def reset(
    offline: tuple,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Forget without asking.")] = False,
) -> None:
    """Forget the local cloud's saved state (envs, events, queues, logs): the next start is empty."""
    import sys

    from webhookctl.cli.console import confirm, console, emit
    from webhookctl.errors import UsageError
    from webhookctl.localcloud import lifecycle

    output, _ = offline
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("`local reset` forgets every env of the local cloud; pass --yes to confirm")
        confirm(f"Forget the local cloud's saved state in {lifecycle.saved_state_path()}?", default=False, refused="cancelled; nothing was forgotten")
    result = lifecycle.reset()

    def text(r: lifecycle.ResetResult) -> None:
        console.print(f"forgot the local cloud's saved state ({r.removed_bytes} bytes) in {r.path}" if r.removed_bytes
                      else f"no saved state in {r.path}")

    emit(result, output, text)
