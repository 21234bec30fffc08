"""Clients that stall, crowd or oversize never stall the local cloud, and a 5xx answer never hides a stored event.

The module has a local cloud of its own: stalled connections must not slow any other test.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import LocalCloud
from webhookctl.localcloud.server import REQUEST_DEADLINE_S

pytestmark = pytest.mark.e2e

ENV = "crowd"


def _webhook_path(outputs: dict[str, str], provider: str = "stripe") -> str:
    url = outputs["WebhookUrlTemplate"].replace("{provider}", provider)
    return url.split("://", 1)[1].split("/", 1)[1]


def _stored(cloud: LocalCloud, event_key: str) -> bool:
    shown = cloud.run("events", "show", event_key, *cloud.env_args(ENV), "-o", "json", timeout=60)
    assert shown.returncode in (0, 1), shown.stderr
    return shown.returncode == 0


def test_stalled_bodies_hold_no_caller_up_and_each_gets_408(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    path = _webhook_path(cloud.outputs(ENV))
    stalled = []
    try:
        for _ in range(140):  # more than the 128 threads the listener once had
            sock = socket.create_connection(("127.0.0.1", cloud.port), timeout=REQUEST_DEADLINE_S * 6)
            sock.sendall(f"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{{\"id\":".encode())
            stalled.append(sock)
        # webhookctl's own calls go through at once, not after the stalled clients' socket timeout.
        status = cloud.run("status", *cloud.env_args(ENV), "-o", "json", timeout=REQUEST_DEADLINE_S)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["deployed"] is True
        answers = [sock.recv(64).split(b"\r\n")[0] for sock in stalled]
        assert set(answers) == {b"HTTP/1.1 408 Request Timeout"}
    finally:
        for sock in stalled:
            sock.close()


def test_200_concurrent_deliveries_are_all_answered_and_a_5xx_stored_nothing(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    cloud.outputs(ENV)
    sent = cloud.run("send-test", "stripe", "--count", "200", "--concurrency", "200", "--timeout", "120",
                     *cloud.env_args(ENV), "-o", "json", timeout=300)
    results = json.loads(sent.stdout)["results"]
    assert len(results) == 200
    accepted = [r for r in results if 200 <= r["http_status"] < 300]
    failed = [r for r in results if r["http_status"] >= 500]
    assert all(r["final_status"] == "PROCESSED" for r in accepted), sent.stderr[-2000:]
    assert [r for r in failed if _stored(cloud, r["event_key"])] == []
    # With function calls on a listener of their own, nothing waits behind the data plane.
    assert failed == [], f"{len(failed)} of 200 deliveries answered 5xx"


def test_an_event_over_lambdas_payload_limit_is_413_not_500(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    url = cloud.outputs(ENV)["WebhookUrlTemplate"].replace("{provider}", "stripe")
    body = b'{"id": "evt_big", "pad": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=60)
    assert refused.value.code == 413
    assert json.loads(refused.value.read()) == {"message": "Request Too Long"}
