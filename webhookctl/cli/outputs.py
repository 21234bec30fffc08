"""`webhookctl outputs`: the env's outputs (the same document `up --outputs-file` writes)."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Any

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def outputs(opts: AwsOptions) -> None:
    """Print the env's outputs: URLs, names and ARNs; exit 4 when the env is not deployed."""
    from webhookctl.cli.console import err_console
    from webhookctl.cli.render import emit
    from webhookctl.cli.session import connect_for, settings_for
    from webhookctl.provision.status import read_outputs

    settings = settings_for(opts)
    ctx = connect_for(opts, settings)
    with err_console.status("reading the env", spinner="dots"):
        result = read_outputs(ctx, settings)
    emit(result, opts.output, render_outputs)


def render_outputs(values: Any) -> None:
    from rich.table import Table

    from webhookctl.cli.console import print_table

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("value")
    for key, value in values.items():
        table.add_row(key, value)
    print_table(table)
