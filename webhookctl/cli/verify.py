"""`webhookctl verify`: offline check of a captured delivery; exit 0 valid, 1 invalid."""

# No `from __future__ import annotations`: the shared-option decorator hands Typer real annotation objects.

from typing import Annotated, Any, List, Optional

import typer

from webhookctl.cli.options import output_command


@output_command
def verify(
    provider: Annotated[str, typer.Argument(help="stripe, github, shopify, square, adyen, standardwebhooks, svix or paypal.", show_default=False)],
    secret: Annotated[
        Optional[List[str]],
        typer.Option(
            "--secret",
            help="The key as the provider hands it out (Stripe whsec_…, Standard Webhooks/Svix whsec_…, whsk_… or whpk_…, "
            "Adyen hex HMAC key, plain otherwise). Repeat to accept several (rotation). Not for paypal.",
            show_default=False,
            metavar="S",
        ),
    ] = None,
    body_file: Annotated[str, typer.Option("--body-file", metavar="F", help="File holding the exact body bytes received.", show_default=False)] = ...,  # type: ignore[assignment]
    header: Annotated[
        Optional[List[str]],
        typer.Option("--header", "-H", help="A received header, 'Name: value'; repeat for each.", show_default=False, metavar="'NAME: VALUE'"),
    ] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="Pin 'now' for timestamp tolerance: Unix seconds or ISO-8601.", metavar="UNIX_TS|ISO")] = None,
    notification_url: Annotated[Optional[str], typer.Option("--notification-url", help="square: the notification URL the delivery was posted to.", metavar="URL")] = None,
    webhook_id: Annotated[Optional[str], typer.Option("--webhook-id", help="paypal: your webhook id.", metavar="ID")] = None,
    cert: Annotated[Optional[str], typer.Option("--cert", help="paypal: the trusted signing certificate (PEM file).", metavar="PEM_FILE")] = None,
    *,
    offline: Any,
) -> None:
    """Check a captured delivery's signature offline: exit 0 when valid, 1 when invalid (with the reason)."""
    from webhookctl import exit_codes
    from webhookctl.cli.console import emit
    from webhookctl.operations.offline_signing import verify_delivery

    output, config = offline
    result = verify_delivery(provider, secrets=list(secret or []), body_file=body_file, headers=list(header or []), at=at,
                             notification_url=notification_url, webhook_id=webhook_id, cert_file=cert, config=config)
    emit(result, output, _render_text)
    if not result.valid:
        raise typer.Exit(exit_codes.FAILED)


def _render_text(result) -> None:
    from webhookctl.cli.console import console

    if result.valid:
        console.print(f"valid: {result.provider} event {result.event_id} ({result.event_type})", markup=False)
    else:
        console.print(f"invalid: {result.reason}", markup=False)
