"""The whole pipeline on the local cloud, driven through the CLI as a user would."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import wait_for
from tests.e2e.pipeline import audit_lines, function_log_text, post, queue_messages, send, signer, status_of, stored

pytestmark = pytest.mark.e2e

PROVIDERS = ("stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal")
ENV = "e2e"


@pytest.fixture(scope="module")
def delivered_for_each_provider(local_cloud, deployed):
    """One signed delivery per provider, all sent before any test waits on one: provider -> (delivery, reply)."""
    outputs = deployed(ENV)
    return {provider: send(local_cloud, outputs, provider) for provider in PROVIDERS}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_signed_webhook_is_processed_and_audited(local_cloud, deployed, delivered_for_each_provider, provider):
    outputs = deployed(ENV)
    delivery, reply = delivered_for_each_provider[provider]
    assert reply.status == 200, reply.body
    assert reply.json()["event_key"] == delivery.event_key
    assert wait_for(lambda: status_of(local_cloud, outputs, delivery.event_key) == "PROCESSED"), "never PROCESSED"
    lines = wait_for(lambda: [l for l in audit_lines(local_cloud, outputs, delivery.event_key) if l.get("new_status") == "PROCESSED"])
    assert lines, "no audit line for the PROCESSED transition"
    assert lines[0]["provider"] == provider


def test_duplicate_delivery_is_processed_once(local_cloud, deployed):
    outputs = deployed(ENV)
    delivery = signer(local_cloud, ENV, "stripe").build(None)
    url = outputs["WebhookUrlTemplate"].replace("{provider}", "stripe")
    first = post(url, delivery.body, delivery.headers)
    assert first.status == 200 and first.json().get("received") is True
    assert wait_for(lambda: status_of(local_cloud, outputs, delivery.event_key) == "PROCESSED")
    second = post(url, delivery.body, delivery.headers)
    assert second.status == 200 and second.json().get("duplicate") is True
    wait_for(lambda: False, timeout=1.5)  # give a wrongly re-processed duplicate time to show up
    processed = [l for l in audit_lines(local_cloud, outputs, delivery.event_key) if l.get("new_status") == "PROCESSED"]
    assert len(processed) == 1
    assert int(stored(local_cloud, outputs, delivery.event_key)["attempts"]["N"]) >= 1


def test_invalid_signature_is_401_and_nothing_is_stored(local_cloud, deployed):
    outputs = deployed(ENV)
    delivery, reply = send(local_cloud, outputs, "stripe", invalid_signature=True)
    assert reply.status == 401 and reply.json() == {"message": "Unauthorized"}
    assert stored(local_cloud, outputs, delivery.event_key) is None


def test_unknown_path_is_missing_authentication_token(local_cloud, deployed):
    outputs = deployed(ENV)
    reply = post(outputs["ApiUrl"] + "/nowhere", b"{}", {"Content-Type": "application/json"})
    assert reply.status == 403 and reply.json() == {"message": "Missing Authentication Token"}


def test_processor_chaos_sends_events_to_the_processor_dlq(local_cloud, deployed):
    outputs = deployed(ENV)
    chaos = local_cloud.run("local", "chaos", "--function", "processor", "--error-rate", "1", "-o", "json")
    assert chaos.returncode == 0, chaos.stderr
    try:
        keys = []
        for _ in range(2):
            delivery, reply = send(local_cloud, outputs, "github")
            assert reply.status == 200, reply.body
            keys.append(delivery.event_key)
        messages = queue_messages(local_cloud, outputs["ProcessorDlqUrl"], want=2, timeout=40)
        in_dlq = {json.loads(m["Body"])["event_key"] for m in messages}
        assert set(keys) <= in_dlq
        attributes = next(m for m in messages if json.loads(m["Body"])["event_key"] == keys[0])["MessageAttributes"]
        assert {"RequestID", "ErrorCode", "ErrorMessage"} <= set(attributes)
        assert all(status_of(local_cloud, outputs, key) == "RECEIVED" for key in keys)
    finally:
        cleared = local_cloud.run("local", "chaos", "--clear")
        assert cleared.returncode == 0, cleared.stderr


def test_waf_blocks_a_source_ip_past_its_limit(local_cloud, deployed):
    outputs = deployed("waf")
    url = outputs["WebhookUrlTemplate"].replace("{provider}", "stripe")
    statuses = [post(url, b"{}", {"Content-Type": "application/json"}).status for _ in range(12)]
    assert statuses[:10] == [401] * 10  # unsigned: the receiver refuses them, but WAF counts them
    reply = post(url, b"{}", {"Content-Type": "application/json"})
    assert reply.status == 403 and reply.json() == {"message": "Forbidden"}


def test_low_stage_limit_is_429(local_cloud, deployed):
    outputs = deployed("throttle")
    url = outputs["WebhookUrlTemplate"].replace("{provider}", "stripe")
    replies = [post(url, b"{}", {"Content-Type": "application/json"}) for _ in range(6)]
    throttled = [r for r in replies if r.status == 429]
    assert throttled and throttled[0].json() == {"message": "Too Many Requests"}


def test_reserved_concurrency_over_quota(local_cloud):
    refused = local_cloud.up("quota", "--reserved-concurrency", "strict")
    assert refused.returncode == 3, refused.stderr
    forced = local_cloud.up("quota", "--reserved-concurrency", "strict", "--no-preflight")
    try:
        assert forced.returncode != 0
        assert (
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
            "below its minimum value of [100]."
        ) in forced.stderr
    finally:
        local_cloud.run("down", *local_cloud.env_args("quota"), "--yes")


def test_layer_without_xray_sdk_is_502_with_import_error_in_logs(local_cloud):
    result = local_cloud.up("noxray", "--no-preflight")
    try:
        assert result.returncode == 0, result.stderr[-2000:]
        outputs = json.loads(result.stdout)["outputs"]
        _, reply = send(local_cloud, outputs, "stripe")
        assert reply.status == 502 and reply.json() == {"message": "Internal server error"}
        logs = wait_for(lambda: "Runtime.ImportModuleError" in function_log_text(local_cloud, outputs["ReceiverFunctionName"]), timeout=15)
        assert logs, "no Runtime.ImportModuleError in the receiver's logs"
    finally:
        local_cloud.run("down", *local_cloud.env_args("noxray"), "--yes")


def test_down_leaves_nothing(local_cloud, deployed):
    outputs = deployed("gone")
    result = local_cloud.run("down", *local_cloud.env_args("gone"), "--yes", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["remaining"] == []
    assert not [f for f in local_cloud.client("lambda").list_functions()["Functions"] if f["FunctionName"].endswith("-gone")]
    assert outputs["EventsTableName"] not in local_cloud.client("dynamodb").list_tables()["TableNames"]
    apis = local_cloud.client("apigateway").get_rest_apis()["items"]
    assert outputs["ApiId"] not in {api["id"] for api in apis}
    status = local_cloud.run("status", *local_cloud.env_args("gone"), "-o", "json")
    assert json.loads(status.stdout or "{}").get("deployed") is False or status.returncode == 4
