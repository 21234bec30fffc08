"""`webhookctl plan`: the changes `up` would make; read-only."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Annotated, Any

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command

_ACTION_STYLE = {"create": ("+ create", "green"), "update": ("~ update", "yellow"), "delete": ("- delete", "red")}


@aws_command
def plan(
    opts: AwsOptions,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 when changes are pending, 0 when none.")] = False,
) -> None:
    """Show what `up` would create, update or delete; makes no change."""
    from webhookctl import exit_codes
    from webhookctl.cli.console import emit, spinner, warn
    from webhookctl.cli.session import connected
    from webhookctl.provision.up import run_plan

    settings, ctx = connected(opts)
    with spinner("planning") as status:
        result = run_plan(ctx, settings, say=lambda message: status.update(message))
    emit(result, opts.output, render_plan)
    for note in result.notes:
        warn(note)
    if detailed_exitcode and result.pending:
        raise SystemExit(exit_codes.CHANGES_PENDING)


def render_plan(plan: Any, *, console: Any = None) -> None:
    """The plan as a readable table (also used by `up` to confirm)."""
    from rich.text import Text

    from webhookctl.cli.console import console as stdout, new_table, print_table

    out = console or stdout
    summary = plan.summary()
    if not plan.changes:
        out.print(f"No changes: all {summary['unchanged']} resources match the desired state.")
        return
    table = new_table("action", "resource", "type", "name", "changes", show_header=True)
    for change in plan.changes:
        table.add_row(Text(*_ACTION_STYLE[change.action]), change.resource, change.type, change.physical or "", ", ".join(d.property for d in change.details))
    print_table(table, target=out)
    # Each difference on a line of its own, whole: a value cut short could not be compared or copied.
    for change in plan.changes:
        for difference in change.details:
            values = difference.to_json()
            out.print(f"  {change.resource} {difference.property}: {values['have']} -> {values['want']}", markup=False)
    out.print(
        f"Plan: {summary['create']} to create, {summary['update']} to update, {summary['delete']} to delete, {summary['unchanged']} unchanged."
    )
