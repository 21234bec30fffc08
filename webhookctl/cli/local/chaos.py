"""`webhookctl local chaos`."""

# No `from __future__ import annotations`: the shared-option decorator hands Typer real annotation objects.
from typing import Annotated, Optional

import typer

from webhookctl.cli.options import output_command


@output_command
def chaos(
    offline: tuple,
    function: Annotated[Optional[str], typer.Option("--function", help="receiver, processor or audit (in every env).", metavar="receiver|processor|audit")] = None,
    error_rate: Annotated[float, typer.Option("--error-rate", help="Share of invocations that fail, 0 to 1.")] = 0.0,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="Added latency per invocation.")] = 0,
    clear: Annotated[bool, typer.Option("--clear", help="Remove every fault injection.")] = False,
    port: Annotated[int, typer.Option("--port", envvar="WEBHOOKCTL_LOCAL_PORT", help="The local cloud's port.")] = 4566,
) -> None:
    """Inject function errors or latency on the running local cloud, until --clear."""
    from webhookctl.cli.console import console, emit
    from webhookctl.errors import UsageError
    from webhookctl.localcloud import chaos_client, lifecycle
    from webhookctl.localcloud.admin import COMPONENTS

    output, _ = offline
    if clear == (function is not None):
        raise UsageError("give either --function (with --error-rate / --latency-ms) or --clear")
    # Bad values are usage errors (exit 2) whether or not the local cloud is running: check them first.
    if not clear and function not in COMPONENTS:
        raise UsageError(f"--function must be one of {', '.join(COMPONENTS)} (got {function!r})")
    if not 0.0 <= error_rate <= 1.0:
        raise UsageError(f"--error-rate must be from 0 to 1 (got {error_rate:g})")
    if latency_ms < 0:
        raise UsageError(f"--latency-ms must not be negative (got {latency_ms})")
    endpoint = lifecycle.ensure_running(port=port, start=False)
    if clear:
        result = chaos_client.clear_chaos(endpoint)
    else:
        result = chaos_client.set_chaos(endpoint, function or "", error_rate, latency_ms)

    def text(r: chaos_client.ChaosResult) -> None:
        if not r.chaos:
            console.print("no fault injection in force")
        for s in r.chaos:
            console.print(f"{s['function']}: error rate {s['error_rate']:g}, latency {s['latency_ms']} ms")

    emit(result, output, text)
