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
    import json
    import sys

    from webhookctl.cli.console import err_console, warn
    from webhookctl.cli.render import emit
    from webhookctl.cli.session import connect_for, settings_for
    from webhookctl.errors import WebhookctlError
    from webhookctl.provision.up import UpOptions, run_up

    options = UpOptions(reserved_mode=reserved_concurrency, preflight=not no_preflight, max_parallel=max_parallel)
    if outputs_file is not None:
        from webhookctl.cli.outputs_file import prepare_outputs_file

        prepare_outputs_file(outputs_file)  # before the first write to AWS: a bad path fails with nothing changed
    settings = settings_for(opts)
    ctx = connect_for(opts, settings)
    interactive = sys.stdin.isatty() and not yes and opts.output == "text"

    def show_preflight(result: Any) -> None:
        for message in getattr(result, "warnings", []):
            warn(message)
        for check in result.checks:
            if not check.ok:
                err_console.print(f"[red]preflight {check.name}:[/red] {check.detail}", markup=True, highlight=False)

    progress = ApplyProgress()

    def confirm(plan: Any) -> None:
        progress.begin(plan)
        if not plan.changes or not interactive:
            return
        from webhookctl.cli.plan import render_plan

        progress.pause()
        render_plan(plan, console=err_console)
        if not typer.confirm("Apply these changes?", default=True, err=True):
            raise WebhookctlError("cancelled; nothing was changed")
        progress.resume()

    try:
        with err_console.status("starting", spinner="dots") as status:
            progress.status = status
            result = run_up(ctx, settings, options, say=progress.say, progress=progress.event, on_plan=confirm, on_preflight=show_preflight)
    finally:
        progress.close()
    for note in result.notes:
        warn(note)
    if outputs_file is not None:
        try:
            outputs_file.write_text(json.dumps(result.outputs, indent=2) + "\n")
        except OSError as exc:
            raise WebhookctlError(f"cannot write {outputs_file}: {exc.strerror}") from None
    emit(result, opts.output, render_up)


class ApplyProgress:
    """A rich progress bar on stderr, fed by the apply events (also used by `down`)."""

    def __init__(self) -> None:
        self.status: Any = None
        self._bar: Any = None
        self._task: Any = None

    def say(self, message: str) -> None:
        if self.status is not None and self._bar is None:
            self.status.update(message)

    def begin(self, plan: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from webhookctl.cli.console import err_console

        if self.status is not None:
            self.status.stop()
        self.close()
        if not plan.changes:
            return
        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=False
        )
        self._task = self._bar.add_task("applying", total=len(plan.changes))
        self._bar.start()

    def pause(self) -> None:
        if self._bar is not None:
            self._bar.stop()

    def resume(self) -> None:
        if self._bar is not None:
            self._bar.start()

    def event(self, event: str, change: Any) -> None:
        if self._bar is None:
            return
        if event == "start":
            self._bar.update(self._task, description=f"{change.action} {change.resource}")
        elif event == "done":
            self._bar.advance(self._task)
        elif event == "failed":
            self._bar.update(self._task, description=f"[red]failed[/red] {change.action} {change.resource}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description="done")
            self._bar.stop()
            self._bar = None


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
