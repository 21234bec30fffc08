"""`webhookctl secrets set PROVIDER`."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def set_secret(
    provider: Annotated[str, typer.Argument(help="stripe, github, shopify, square, adyen, standardwebhooks, svix or paypal.", show_default=False)],
    value: Annotated[Optional[str], typer.Option("--value", help="The secret as the provider hands it out; '-' reads stdin.", metavar="VALUE|-", show_default=False)] = None,
    generate: Annotated[bool, typer.Option("--generate", help="Generate random test material.")] = False,
    keep_previous: Annotated[bool, typer.Option("--keep-previous", help="Keep the old secret valid (rotation).")] = False,
    *,
    opts: AwsOptions,
) -> None:
    """Set a provider's secret; prints its fingerprint, never the value."""
    import sys

    from webhookctl.cli.console import emit
    from webhookctl.cli.session import connected
    from webhookctl.errors import UsageError
    from webhookctl.operations.provider_secrets import set_secret as run
    from webhookctl.operations.providers import check_provider

    check_provider(provider)
    if (value is None) == (not generate):
        raise UsageError("give exactly one of --value or --generate")
    if value == "-":
        value = sys.stdin.read()
    settings, ctx = connected(opts)
    result = run(ctx, settings, provider, value=value, generate=generate, keep_previous=keep_previous)
    del value
    emit(result, opts.output, render_text)


def render_text(result: Any) -> None:
    from webhookctl.cli.console import console

    kept = f"; {result.valid} secret(s) verify (previous kept)" if result.kept_previous else ""
    made = "generated and set" if result.generated else "set"
    console.print(f"{result.provider}: {made} {result.fingerprint}{kept}")
    if result.previous_stops_verifying_s == 0:
        console.print("the previous secret stops verifying at once")
    elif result.previous_stops_verifying_s is not None:
        console.print(f"the previous secret stops verifying within {result.previous_stops_verifying_s:g} s (the receiver's secret cache)")
