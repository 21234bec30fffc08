"""`webhookctl up`: build, preflight, then converge the env on the desired state."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command

RESERVED_HELP = "When reservations would leave under 100 unreserved: fit (scale down), strict (fail, exit 3), off (reserve nothing)."


@aws_command
def up(
    opts: AwsOptions,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (never asked when stdin is not a terminal).")] = False,
    reserved_concurrency: Annotated[str, typer.Option("--reserved-concurrency", help=RESERVED_HELP, metavar="[fit|strict|off]")] = "fit",
    max_parallel: Annotated[int, typer.Option("--max-parallel", help="Changes applied at once.", metavar="N")] = 8,
    no_preflight: Annotated[bool, typer.Option("--no-preflight", help="Skip the preflight checks.")] = False,
    outputs_file: Annotated[Optional[Path], typer.Option("--outputs-file", help="Also write the outputs as JSON to this file.", metavar="PATH")] = None,
) -> None:
    """Create or update the env; running it again on a converged env changes nothing."""
    import sys

    from webhookctl.cli.console import emit, warn
    from webhookctl.cli.outputs_file import prepare_outputs_file, write_outputs_file
    from webhookctl.cli.session import connected
    from webhookctl.provision.up import UpOptions

    options = UpOptions(reserved_mode=reserved_concurrency, preflight=not no_preflight, max_parallel=max_parallel)
    if outputs_file is not None:
        prepare_outputs_file(outputs_file)  # before the first write to AWS: a bad path fails with nothing changed
    settings, ctx = connected(opts)
    result = converge(ctx, settings, options, ask=sys.stdin.isatty() and not yes and opts.output == "text")
    for note in result.notes:
        warn(note)
    if outputs_file is not None:
        write_outputs_file(outputs_file, result.outputs)
    emit(result, opts.output, render_up)


def converge(ctx: Any, settings: Any, options: Any, *, ask: bool) -> Any:
    """Run `up` with a status line, then a bar over the plan's changes; with `ask`, confirm them first."""
    from webhookctl.cli.console import apply_progress
    from webhookctl.provision.up import run_up

    with apply_progress("starting") as progress:
        return run_up(ctx, settings, options, say=progress.say, progress=progress.event,
                      on_plan=lambda plan: _begin_apply(plan, progress, ask), on_preflight=show_preflight)


def _begin_apply(plan: Any, progress: Any, ask: bool) -> None:
    """Start the bar over the plan; asked, show the plan and go on only on a yes."""
    progress.begin(plan)
    if not plan.changes or not ask:
        return
    from webhookctl.cli.console import confirm, err_console
    from webhookctl.cli.plan import render_plan

    progress.pause()
    render_plan(plan, console=err_console)
    confirm("Apply these changes?", default=True, refused="cancelled; nothing was changed")
    progress.resume()


def show_preflight(result: Any) -> None:
    """What preflight found, on stderr: its warnings and each failed check."""
    from webhookctl.cli.console import err_console, warn

    for message in getattr(result, "warnings", []):
        warn(message)
    for check in result.checks:
        if not check.ok:
            err_console.print(f"[red]preflight {check.name}:[/red] {check.detail}", markup=True, highlight=False)


def render_up(result: Any) -> None:
    from webhookctl.cli.console import console
    from webhookctl.cli.outputs import render_outputs

    summary = result.summary
    calls = result.api_calls
    console.print(
        f"{summary['create']} created, {summary['update']} updated, {summary['unchanged']} unchanged "
        f"in {result.seconds:.1f}s ({calls['read']} reads, {calls['write']} writes)"
    )
    render_outputs(result.outputs)
