"""atheris: the receiver's request handling, from an API Gateway proxy event to its HTTP answer.

The fuzzer's bytes are read as a JSON event (or, when they are not JSON, as the body of an otherwise
well-formed event). The receiver runs over in-memory stand-ins for DynamoDB, Lambda and Secrets Manager.
Fails on any exception, on a 5xx, on a 2xx (nothing the fuzzer makes is signed), and on anything stored
or handed off for a refused request.
Run: python fuzz/receiver_fuzz.py -atheris_runs=100000
"""

from __future__ import annotations

import json
import os
import sys

import atheris

from fuzz_input import delivery_from, use_repo_sources

use_repo_sources()
with atheris.instrument_imports():
    import webhook_signatures as ws
    from provider_secrets import ProviderSecrets
    from proxy_http import BadProxyEvent, parse_proxy_event
    from receive import ReceiverDeps, receive_webhook
    from receiver_settings import ReceiverSettings
    from webhook_runtime.structured_log import JsonLogger
    from webhook_runtime.tracing import Tracing
    from webhook_signatures import material

HEADERS = ("Stripe-Signature", "X-Hub-Signature-256", "X-GitHub-Delivery", "X-Shopify-Hmac-Sha256",
           "x-square-hmacsha256-signature", "HmacSignature", "webhook-id", "webhook-timestamp", "webhook-signature",
           "svix-id", "svix-timestamp", "svix-signature", "PAYPAL-TRANSMISSION-ID", "PAYPAL-TRANSMISSION-TIME",
           "PAYPAL-TRANSMISSION-SIG", "PAYPAL-CERT-URL")
DOCUMENT = json.dumps({provider: material.generate(provider) for provider in ws.PROVIDERS})


class MemoryStore:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}

    def insert_if_absent(self, item: dict) -> dict | None:
        existing = self.items.get(item["event_key"])
        if existing is None:
            self.items[item["event_key"]] = item
        return existing

    def mark_handoff_failed(self, event_key: str, at: str) -> bool:
        return False


STORE = MemoryStore()
HANDOFFS: list[dict] = []
SETTINGS = ReceiverSettings(events_table="events", processor_function="processor", secret_id="secret",
                            max_body_bytes=4096, providers_enabled=frozenset(ws.PROVIDERS),
                            webhook_url_base="https://api.example.com/live/webhook/")
LOG = JsonLogger("webhook_receiver", stream=open(os.devnull, "w"))  # open for the life of the process
DEPS = ReceiverDeps(
    settings=SETTINGS,
    secrets=ProviderSecrets(lambda: ("v1", DOCUMENT), SETTINGS.settings_for, 300.0),
    store=STORE,
    handoff=HANDOFFS.append,
    log=LOG,
    tracing=Tracing("webhook_receiver"),
)


def event_from(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        fdp = atheris.FuzzedDataProvider(data)
        provider = fdp.PickValueInList(list(ws.PROVIDERS))
        base64_encoded = fdp.ConsumeBool()
        headers, body = delivery_from(fdp, HEADERS)
        return {"pathParameters": {"provider": provider}, "isBase64Encoded": base64_encoded, "headers": headers,
                "body": body.decode("latin-1")}


def test_one_input(data: bytes) -> None:
    try:
        request = parse_proxy_event(event_from(data))
    except BadProxyEvent:
        return  # the handler answers 400
    before = (len(STORE.items), len(HANDOFFS))
    status = receive_webhook(request, DEPS, LOG).status
    if not 400 <= status < 500:
        raise AssertionError(f"answered {status} to {request!r:.300}")
    if (len(STORE.items), len(HANDOFFS)) != before:
        raise AssertionError("a refused request was stored or handed off")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
