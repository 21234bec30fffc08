"""`webhookctl preflight`: the read-only checks `up` runs first; exit 3 when one fails."""

# No `from __future__ import annotations`: the shared-options decorator re-reads
# this signature from another module, so the annotations must be real objects.
from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command

RESERVED_CONCURRENCY_HELP = (
    "What to do when reserved concurrency would leave under 100 unreserved: "
    "fit (scale the reservations down), strict (fail), off (reserve nothing)."
)


@aws_command
def preflight(
    opts: AwsOptions,
    reserved_concurrency: Annotated[
        str,
        typer.Option("--reserved-concurrency", help=RESERVED_CONCURRENCY_HELP, metavar="[fit|strict|off]"),
    ] = "fit",
) -> None:
    """Check credentials, names, limits, the layer's imports and account concurrency; changes nothing."""
    from webhookctl import exit_codes
    from webhookctl.cli.console import abort, emit, warn
    from webhookctl.cli.session import connected
    from webhookctl.errors import UsageError
    from webhookctl.provision.preflight import RESERVED_MODES, run_preflight

    if reserved_concurrency not in RESERVED_MODES:
        raise UsageError(f"--reserved-concurrency must be one of {', '.join(RESERVED_MODES)} (got {reserved_concurrency!r})")
    settings, ctx = connected(opts)
    build = build_for_preflight(settings, ctx.target)
    result = run_preflight(ctx, settings, reserved_mode=reserved_concurrency, build=build)
    emit(result, opts.output, render_text)
    for message in result.warnings:
        warn(message)
    if not result.ok:
        names = ", ".join(check.name for check in result.failures)
        abort(f"preflight failed: {names}; nothing was changed", exit_codes.PREFLIGHT_FAILED)


def build_for_preflight(settings: Any, target: str) -> Any:
    """The build whose import check preflight reports: the host's for the local cloud, else the configured arch."""
    from webhookctl.cli.console import spinner
    from webhookctl.packaging import build_artifacts

    arch = "host" if target == "local" else settings.architecture
    with spinner(f"building ({arch}) for the import check") as status:
        return build_artifacts(settings, arch, progress=lambda message: status.update(message))


_STATUS_STYLE = {"pass": ("pass", "green"), "warn": ("warn", "yellow"), "skip": ("skip", "yellow"), "fail": ("FAIL", "red")}


def render_text(result: Any) -> None:
    from rich.text import Text

    from webhookctl.cli.console import console, new_table, print_table

    table = new_table("check", "status", "detail", framed=True, title="preflight", title_justify="left", show_lines=False, pad_edge=False)
    for check in result.checks:
        table.add_row(check.name, Text(*_STATUS_STYLE.get(check.status, (check.status, ""))), check.detail)
    print_table(table)
    reserved = {key: value for key, value in result.reservations.items() if value is not None}
    if reserved:
        console.print("reservations to apply: " + ", ".join(f"{key}={value}" for key, value in reserved.items()))
    verdict = "[green]ok[/green]" if result.ok else f"[red]failed[/red] ({len(result.failures)} of {len(result.checks)} checks)"
    console.print(f"preflight {verdict}")
