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
from webhook_runtime.structured_log import JsonLogger
from webhook_runtime.tracing import Tracing

SERVICE = "webhook_receiver"

log = JsonLogger(SERVICE)
tracing = Tracing(SERVICE, log)
_deps: ReceiverDeps | None = None


def build_deps(environ: Any = os.environ) -> ReceiverDeps:
    """Everything the receiver talks to, created once per container."""
    settings = ReceiverSettings.from_environ(environ)
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
    tracing.begin_invocation()
    if _deps is None:
        try:
            _deps = build_deps()
        except SettingsError as error:
            log.error("the receiver is misconfigured", error=str(error))
            raise
    deps = _deps
    request_log = log.bind(request_id=getattr(context, "aws_request_id", None))
    try:
        request = parse_proxy_event(event)
    except BadProxyEvent as error:
        request_log.warning("refused: unreadable request", status=400, error=str(error))
        return to_proxy_response(WebhookResponse(400, {"message": "Bad Request"}))
    response = receive_webhook(request, deps, request_log)
    return to_proxy_response(response)
