"""`webhookctl secrets list`."""

from __future__ import annotations

from typing import Any

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def list_secrets(*, opts: AwsOptions) -> None:
    """Provider names and secret fingerprints; never values."""
    from webhookctl.cli.session import run_and_emit
    from webhookctl.operations.provider_secrets import list_secrets

    run_and_emit(opts, list_secrets, render_text)


def render_text(result: Any) -> None:
    from rich.text import Text

    from webhookctl.cli.console import console, new_table, print_table

    table = new_table("PROVIDER", "ENABLED", "VALID", "FINGERPRINTS (first = current)", title=result.secret, title_justify="left")
    for p in result.providers:
        shown = list(p.fingerprints)
        if p.provider == "paypal":
            shown = [f"webhook id {p.webhook_id or '-'}"] + [f"cert {c}" for c in p.certificates] + (["signing key set"] if p.signing_key else [])
        count = len(p.fingerprints) or len(p.certificates)
        table.add_row(p.provider, "yes" if p.enabled else "no", str(count) if count else Text("none", style="red"), ", ".join(shown) or "-")
    print_table(table)
    unset = [p.provider for p in result.providers if p.enabled and not p.to_json()["configured"]]
    if unset:
        console.print(f"no secret yet for {', '.join(unset)}: deliveries to {'it' if len(unset) == 1 else 'them'} are refused until `webhookctl secrets set PROVIDER`")
