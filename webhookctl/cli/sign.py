"""`webhookctl sign`: the headers (and body, for Adyen) a provider would send for a body."""

# No `from __future__ import annotations`: the shared-option decorator hands Typer real annotation objects.

from typing import Annotated, Any, Optional

import typer

from webhookctl.cli.options import output_command


@output_command
def sign(
    provider: Annotated[str, typer.Argument(help="stripe, github, shopify, square, adyen, standardwebhooks, svix or paypal.", show_default=False)],
    secret: Annotated[
        Optional[str],
        typer.Option(
            "--secret",
            help="The key as the provider hands it out: Stripe whsec_…, Standard Webhooks/Svix whsec_… or whsk_… "
            "(Ed25519, signs v1a), Adyen's hex HMAC key, the plain secret otherwise. "
            "For paypal: an RSA private key, as PEM text or a PEM file path (test material only).",
            show_default=False,
            metavar="S",
        ),
    ] = None,
    body_file: Annotated[str, typer.Option("--body-file", metavar="F", help="File holding the exact body bytes.", show_default=False)] = ...,  # type: ignore[assignment]
    at: Annotated[Optional[str], typer.Option("--at", help="Signing time: Unix seconds or ISO-8601 (default: now).", metavar="UNIX_TS|ISO")] = None,
    msg_id: Annotated[
        Optional[str],
        typer.Option("--id", help="Message id: webhook-id/svix-id, X-GitHub-Delivery, X-Shopify-Webhook-Id, PAYPAL-TRANSMISSION-ID (default: random; Stripe, Square and Adyen take the id from the body).", metavar="MSG_ID"),
    ] = None,
    notification_url: Annotated[Optional[str], typer.Option("--notification-url", help="square: the notification URL, part of the signed content.", metavar="URL")] = None,
    webhook_id: Annotated[Optional[str], typer.Option("--webhook-id", help="paypal: the webhook id signed into the delivery.", metavar="ID")] = None,
    *,
    offline: Any,
) -> None:
    """Print the headers (and the body, for Adyen) a provider would send for --body-file.

    Adyen classic notifications get additionalData.hmacSignature in every item, so the body
    changes and is printed; other Adyen bodies are signed with the HmacSignature header.

    PayPal (test material only): --secret is the RSA private key (PEM text or file) and
    --webhook-id is required; PAYPAL-CERT-URL is a placeholder, so verify with the matching
    certificate pinned: webhookctl verify paypal --webhook-id ID --cert CERT.pem ...
    """
    from webhookctl.cli.console import emit
    from webhookctl.operations.offline_signing import sign_delivery

    output, config = offline
    result = sign_delivery(provider, secret=secret, body_file=body_file, at=at, msg_id=msg_id, notification_url=notification_url,
                           webhook_id=webhook_id, config=config)
    emit(result, output, _render_text)


def _render_text(result) -> None:
    from webhookctl.cli.console import console

    for name, value in result.headers.items():
        console.print(f"{name}: {value}", markup=False)
    if result.body_changed:
        console.print("", markup=False)
        console.print(result.body.decode("utf-8", errors="replace"), markup=False)
