"""`webhookctl down`: remove everything of the env, then verify that nothing remains."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def down(
    opts: AwsOptions,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking (required when stdin is not a terminal, and with -o json).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Required to remove a protected env (default: prod).")] = False,
) -> None:
    """Delete every resource of the env (tolerating what is already gone); exit 4 when nothing exists."""
    import sys

    from webhookctl.cli.console import apply_progress, confirm, emit, err_console
    from webhookctl.cli.session import connect_for, settings_for
    from webhookctl.errors import WebhookctlError
    from webhookctl.provision.teardown import check_protection, teardown, teardown_preview

    settings = settings_for(opts)
    check_protection(settings, force)
    if not yes and (opts.output == "json" or not sys.stdin.isatty()):
        from webhookctl.errors import UsageError

        # Nobody can be asked (a script, a pipe, or -o json): deleting must be said with --yes.
        raise UsageError(f"down deletes every resource of env '{settings.env}' and cannot ask here; pass --yes to confirm")
    ctx = connect_for(opts, settings)
    if not yes:
        preview = teardown_preview(ctx, settings)
        if preview.changes:
            from webhookctl.cli.plan import render_plan

            render_plan(preview, console=err_console)
            confirm(f"Delete env '{settings.env}'?", default=False, refused="cancelled; nothing was deleted")
    with apply_progress("reading the env") as progress:
        result = teardown(ctx, settings, force=force, progress=progress.event, on_plan=progress.begin)
    emit(result, opts.output, render_down)
    if result.remaining:
        raise WebhookctlError(f"{len(result.remaining)} resources remain after down", hint="run `webhookctl down` again, or see `-o json` for the list")


def render_down(result: Any) -> None:
    from webhookctl.cli.console import console

    console.print(f"deleted {len(result.deleted)} resources in {result.seconds:.1f}s")
    for arn in result.scheduled:
        console.print(f"scheduled for deletion (7 days): {arn}", markup=False)
    if result.remaining:
        console.print(f"[red]{len(result.remaining)} remaining:[/red]")
        for item in result.remaining:
            console.print(f"  {item['type']} {item['physical']}", markup=False)
    else:
        console.print("nothing remains")
