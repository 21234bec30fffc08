"""Lambda entry point of the webhook receiver: API Gateway proxy event in, proxy response out."""

from __future__ import annotations

import os
from typing import Any

from event_store import DynamoEventStore
from processor_handoff import LambdaHandoff
from provider_secrets import ProviderSecrets, secrets_manager_fetcher
from proxy_http import BadProxyEvent, WebhookResponse, parse_proxy_event, to_proxy_response
from receive import ReceiverDeps, receive_webhook
from receiver_settings import ReceiverSettings, SettingsError
from webhook_runtime import aws_clients
from webhook_runtime.handler_shell import HandlerShell

SERVICE = "webhook_receiver"

shell = HandlerShell(SERVICE)
log, tracing = shell.log, shell.tracing
_deps: ReceiverDeps | None = None


def build_deps(environ: Any = os.environ) -> ReceiverDeps:
    """Everything the receiver talks to, created once per container."""
    try:
        settings = ReceiverSettings.from_environ(environ)
    except SettingsError as error:
        log.error("the receiver is misconfigured", error=str(error))
        raise
    secrets = ProviderSecrets(
        secrets_manager_fetcher(aws_clients.client("secretsmanager"), settings.secret_id),
        settings.settings_for,
        settings.secrets_ttl_s,
    )
    return ReceiverDeps(
        settings=settings,
        secrets=secrets,
        store=DynamoEventStore(aws_clients.client("dynamodb"), settings.events_table),
        handoff=LambdaHandoff(aws_clients.client("lambda"), settings.processor_function),
        log=log,
        tracing=tracing,
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _deps
    _deps, request_log = shell.begin(_deps, build_deps, context)
    try:
        request = parse_proxy_event(event)
    except BadProxyEvent as error:
        request_log.warning("refused: unreadable request", status=400, error=str(error))
        return to_proxy_response(WebhookResponse(400, {"message": "Bad Request"}))
    response = receive_webhook(request, _deps, request_log)
    return to_proxy_response(response)
