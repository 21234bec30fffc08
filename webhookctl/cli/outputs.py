"""`webhookctl outputs`: the env's outputs (the same document `up --outputs-file` writes)."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Any

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def outputs(opts: AwsOptions) -> None:
    """Print the env's outputs: URLs, names and ARNs; exit 4 when the env is not deployed."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.provision.status import read_outputs

    run_and_emit(opts, read_outputs, render_outputs, busy="reading the env")


def render_outputs(values: Any) -> None:
    from webhookctl.cli.console import new_table, print_table

    table = new_table(show_header=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("value")
    for key, value in values.items():
        table.add_row(key, value)
    print_table(table)
