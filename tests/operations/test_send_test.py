"""send-test: fixtures signed so the receiver's own verify accepts them, and the follow-through."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import webhook_signatures
from webhook_signatures import material
from webhookctl.config import PROVIDERS
from webhookctl.errors import UsageError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.fixtures import catalog
from webhookctl.operations.sample_deliveries import SendTestRequest, send_test
from webhookctl.operations.signed_fixtures import DeliverySigner, TIMESTAMPED, provider_settings


@pytest.fixture
def all_providers(env):
    document = {provider: material.generate(provider) for provider in PROVIDERS}
    env.client("secretsmanager").put_secret_value(SecretId=env.names.secret, SecretString=json.dumps(document))
    env.secret_document = document
    return env


def _verifier_config(env, provider):
    deployment = Deployment(env.ctx, env.settings)
    return material.provider_config(provider, env.secret_document[provider], provider_settings(deployment, provider))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_fixture_verifies_with_fresh_ids(all_providers, provider):
    env = all_providers
    signer = DeliverySigner(Deployment(env.ctx, env.settings), provider)
    config = _verifier_config(env, provider)
    ids = set()
    for event_type in catalog()[provider]["events"]:
        for _ in range(2):
            delivery = signer.build(event_type)
            verified = webhook_signatures.verify(provider, delivery.headers, delivery.body, config)
            assert verified.event_id == delivery.event_id
            assert event_type in verified.event_type or provider in ("standardwebhooks", "svix")
            ids.add(delivery.event_id)
    assert len(ids) == 2 * len(catalog()[provider]["events"])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_invalid_signature_deliveries_are_refused_by_verify(all_providers, provider):
    env = all_providers
    delivery = DeliverySigner(Deployment(env.ctx, env.settings), provider, invalid_signature=True).build(None)
    with pytest.raises(webhook_signatures.SignatureInvalid):
        webhook_signatures.verify(provider, delivery.headers, delivery.body, _verifier_config(env, provider))


def test_stale_applies_only_to_timestamped_schemes(all_providers):
    env = all_providers
    deployment = Deployment(env.ctx, env.settings)
    for provider in TIMESTAMPED:
        delivery = DeliverySigner(deployment, provider, stale=True).build(None)
        with pytest.raises(webhook_signatures.SignatureInvalid):
            webhook_signatures.verify(provider, delivery.headers, delivery.body, _verifier_config(env, provider))
    with pytest.raises(UsageError):
        DeliverySigner(deployment, "github", stale=True)


class FakePipeline:
    """An HTTP receiver that verifies like the real one, stores, 'processes' and audits each event."""

    def __init__(self, env):
        self.env = env
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.lock = threading.Lock()
        self.stored: dict[str, int] = {}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/live"

    def _handler(self):
        pipeline = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                provider = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    delivery = webhook_signatures.verify(provider, dict(self.headers), body, _verifier_config(pipeline.env, provider))
                except webhook_signatures.WebhookError:
                    return self._answer(401, {"message": "Unauthorized"})
                key = f"{provider}#{delivery.event_id}"
                answer = pipeline.accept(key, provider, delivery)
                self._answer(200, answer)

            def _answer(self, status, document):
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def accept(self, key, provider, delivery):
        with self.lock:
            if key in self.stored:
                return {"duplicate": True, "event_key": key}
            self.stored[key] = 1
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        env = self.env
        env.client("dynamodb").put_item(TableName=env.names.table, Item={
            "event_key": {"S": key}, "provider": {"S": provider}, "event_id": {"S": delivery.event_id},
            "event_type": {"S": delivery.event_type}, "status": {"S": "PROCESSED"}, "received_at": {"S": now},
            "processed_at": {"S": now}, "attempts": {"N": "1"},
        })
        line = {"event_key": key, "provider": provider, "event_type": delivery.event_type, "old_status": "RECEIVED", "new_status": "PROCESSED", "time": now, "sequence_number": "1", "event_name": "MODIFY"}
        with self.lock:
            env.client("logs").put_log_events(logGroupName=env.names.audit_log_group, logStreamName="audit",
                                              logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(line)}])
        return {"received": True, "event_key": key}

    def __enter__(self):
        self.env.client("logs").create_log_stream(logGroupName=self.env.names.audit_log_group, logStreamName="audit")
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_send_test_follows_every_event_through_to_processed_and_audited(all_providers, monkeypatch):
    env = all_providers
    with FakePipeline(env) as pipeline:
        monkeypatch.setattr(Deployment, "api_url", property(lambda self: pipeline.url))
        result = send_test(env.ctx, env.settings, SendTestRequest("stripe", count=12, concurrency=4, timeout_s=20))
        assert result.ok, [r.problem for r in result.results if not r.expected]
        document = result.to_json()
        assert document["summary"]["sent"] == 12 and document["summary"]["processed"] == 12
        first = document["results"][0]
        assert {"provider", "event_id", "event_key", "event_type", "http_status", "response_ms", "final_status", "audit_logged"} <= set(first)
        assert first["final_status"] == "PROCESSED" and first["audit_logged"] and first["event_type"] == "payment_intent.succeeded"

        duplicate = send_test(env.ctx, env.settings, SendTestRequest("github", duplicate=True, timeout_s=20))
        assert duplicate.ok and len(duplicate.results) == 2 and duplicate.results[1].duplicate_response

        rejected = send_test(env.ctx, env.settings, SendTestRequest("svix", invalid_signature=True))
        assert rejected.ok and rejected.results[0].http_status == 401 and rejected.results[0].final_status == "REJECTED"

        # A wrong expectation is reported: valid events sent while the receiver refuses everything.
        monkeypatch.setattr(pipeline, "accept", lambda *a: (_ for _ in ()).throw(RuntimeError("down")))
        broken = send_test(env.ctx, env.settings, SendTestRequest("stripe", wait=False))
        assert not broken.ok
