"""`webhookctl status`: what exists, what drifted, DLQ depths and alarm states."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Any

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command

_STATE_STYLE = {"ok": "green", "drift": "yellow", "missing": "red"}
_ALARM_STYLE = {"OK": "green", "ALARM": "red", "INSUFFICIENT_DATA": "dim"}


@aws_command
def status(opts: AwsOptions) -> None:
    """Show each resource of the env (ok, drift, missing), DLQ depths and alarm states; exit 4 when not deployed."""
    from webhookctl.cli.console import warn
    from webhookctl.cli.session import run_and_emit
    from webhookctl.provision.status import env_status

    result = run_and_emit(opts, env_status, render_status, busy="reading the env")
    for note in result.notes:
        warn(note)


def render_status(result: Any) -> None:
    from rich.markup import escape
    from rich.text import Text

    from webhookctl.cli.console import console, new_table, print_table

    verdict = "[green]deployed[/green]" if result.deployed else "[yellow]partially deployed[/yellow] (run `webhookctl up`)"
    console.print(f"env {escape(result.env)}: {verdict}")
    table = new_table("resource", "type", "name", "state", "drift")
    for row in result.resources:
        table.add_row(row["resource"], row["type"], row["physical"] or "", Text(row["state"], style=_STATE_STYLE[row["state"]]), ", ".join(row["drift"]))
    print_table(table)
    depths = ", ".join(f"{queue}: {'-' if depth is None else depth}" for queue, depth in result.dlq.items())
    console.print(f"dead-letter queues: {depths}")
    alerts = result.alerts or {}
    if alerts.get("topic"):
        heard = "a confirmed subscription" if alerts["confirmed_subscription"] else "[yellow]no confirmed subscription[/yellow] (set [alerts] email, then confirm it)"
        console.print(f"alerts topic {escape(alerts['topic'])}: {heard}", soft_wrap=True)
        for sub in alerts.get("subscriptions", []):
            console.print(f"  {escape(str(sub['protocol']))} {escape(str(sub['endpoint']))}: {'confirmed' if sub['confirmed'] else 'pending confirmation'}", soft_wrap=True)
    if result.alarms:
        alarms = new_table()
        alarms.add_column("alarm", no_wrap=True)
        alarms.add_column("state", no_wrap=True)
        for alarm in result.alarms:
            alarms.add_row(alarm["name"], Text(str(alarm["state"]), style=_ALARM_STYLE.get(alarm["state"], "")))
        print_table(alarms)
