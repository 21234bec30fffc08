import time

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from webhookctl.errors import UsageError
from webhookctl.localcloud import chaos_client
from webhookctl.localcloud.admin import parse_chaos
from webhookctl.localcloud.latency import ControlPlaneLatency
from webhookctl.localcloud.overlay_chain import request_service


def test_health_identifies_the_local_cloud(cloud):
    from webhookctl.localcloud.lifecycle import probe

    health = probe(cloud.endpoint)
    assert health["local_cloud"] is True and health["version"] and isinstance(health["pid"], int) and health["arch"]


def test_chaos_round_trip(cloud):
    result = chaos_client.set_chaos(cloud.endpoint, "processor", 1.0, 0)
    assert result.chaos == [{"function": "processor", "error_rate": 1.0, "latency_ms": 0}]
    assert cloud.runtime.chaos == {"processor": (1.0, 0)}
    chaos_client.set_chaos(cloud.endpoint, "audit", 0.0, 250)
    assert {s["function"] for s in chaos_client.current_chaos(cloud.endpoint).chaos} == {"processor", "audit"}
    assert chaos_client.clear_chaos(cloud.endpoint).chaos == []
    assert cloud.runtime.chaos == {}


def test_chaos_refuses_bad_values_before_calling():
    with pytest.raises(UsageError):
        chaos_client.set_chaos("http://127.0.0.1:9", "nope", 0.5, 0)
    with pytest.raises(UsageError):
        chaos_client.set_chaos("http://127.0.0.1:9", "receiver", 1.5, 0)


@pytest.mark.parametrize("document", [None, [], {"function": "x"}, {"function": "audit", "error_rate": 2}, {"function": "audit", "latency_ms": -1}])
def test_parse_chaos_rejects_bad_documents(document):
    with pytest.raises(ValueError):
        parse_chaos(document)


def request(path: str, authorization: str | None = None) -> Request:
    headers = {"Authorization": authorization} if authorization else {}
    return Request(EnvironBuilder(path=path, method="POST", headers=headers).get_environ())


SIGNED = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc"


def test_request_service_reads_the_credential_scope():
    assert request_service(request("/", SIGNED)) == "dynamodb"
    assert request_service(request("/")) is None


def test_latency_applies_to_control_plane_calls_only():
    overlay = ControlPlaneLatency(150)
    for path, delayed in (("/", True), ("/restapis/abc/live/_user_request_/webhook/x", False), ("/_webhookctl/health", False)):
        began = time.monotonic()
        assert overlay.handle(request(path, SIGNED), lambda r: None) is None
        assert (time.monotonic() - began >= 0.15) is delayed


def test_latency_end_to_end(aws_credentials):
    import boto3

    from tests.localcloud.conftest import ScriptedRuntime, serve_in_thread
    from webhookctl.localcloud.server import compose_app

    app, data_plane = compose_app(ScriptedRuntime(), None, latency_ms=200)
    endpoint, stop = serve_in_thread(app)
    try:
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint)
        sqs.list_queues()
        began = time.monotonic()
        sqs.list_queues()
        assert time.monotonic() - began >= 0.2
        began = time.monotonic()
        from webhookctl.localcloud.lifecycle import probe

        assert probe(endpoint) and time.monotonic() - began < 0.2
    finally:
        stop()
        data_plane.shutdown()
