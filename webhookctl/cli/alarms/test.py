"""`webhookctl alarms test [--alarm NAME]`."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def test(
    alarm: Optional[str] = typer.Option(None, "--alarm", help="processor-dlq (default), audit-dlq, receiver-errors, processor-errors, audit-errors, api-5xx, or a full alarm name"),
    *,
    opts: AwsOptions,
) -> None:
    """Set one alarm to ALARM and back, so its notification can be seen arriving."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.operations.alarm_test import test_alarm

    run_and_emit(opts, test_alarm, render_text, alarm)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console

    console.print(f"{result.alarm}: {' -> '.join(result.states)}", markup=False, soft_wrap=True)
    for action in result.actions:
        console.print(f"notified: {action}", markup=False, soft_wrap=True)
    console.print("check the subscriber (e.g. the email inbox) and the alarm's history for 'Successfully executed action'", markup=False, soft_wrap=True)
