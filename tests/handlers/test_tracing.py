"""X-Ray: inert and never imported without a trace; in a traced Lambda process, real subsegments.

The traced run happens in a fresh process (the SDK patches botocore for good), against a moto
server, with a UDP socket standing in for the X-Ray daemon.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from types import ModuleType
from typing import Any, Callable

import pytest

from tests.handlers.cloud import PROCESSOR, TABLE, create_cloud
from tests.handlers.handler_loading import HANDLERS, LAYER
from tests.handlers.lambda_events import proxy_event, stripe_body
from webhook_signatures import material, sign

TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"
TRACE_HEADER = f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1"


def test_untraced_invocation_never_imports_the_sdk(load_handler: Callable[[str], ModuleType], monkeypatch):
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    already = "aws_xray_sdk.core" in sys.modules  # another test in this process may have imported it
    processor = load_handler("payment_processor")
    assert processor.tracing.begin_invocation() is False
    with processor.tracing.subsegment("store") as subsegment:
        assert subsegment is None
    if not already:
        assert "aws_xray_sdk.core" not in sys.modules


@pytest.mark.parametrize("header", [
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
    "Root=1-5759e988-bd862e3fe1be46a994272793",  # no decision: the SDK would only build dummy segments
])
def test_unsampled_lambda_invocation_never_enables_the_sdk(load_handler: Callable[[str], ModuleType], monkeypatch,
                                                           tmp_path, header: str):
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.setenv("_X_AMZN_TRACE_ID", header)
    processor = load_handler("payment_processor")
    assert processor.tracing.begin_invocation() is False
    with processor.tracing.subsegment("store") as subsegment:
        assert subsegment is None
    assert processor.tracing.recorder is None and processor.tracing.setup_seconds is None


@pytest.mark.parametrize(("header", "sampled"), [
    (TRACE_HEADER, True),
    (" Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1;Parent=53995c3f42cd8ad8 ", True),
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", False),
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?", False),
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", False),
    ("", False),
])
def test_sampling_decision_is_read_as_the_sdk_reads_it(load_handler: Callable[[str], ModuleType], header: str,
                                                       sampled: bool):
    load_handler("payment_processor")
    from webhook_runtime.tracing import is_sampled

    assert is_sampled(header) is sampled


def _received_documents(sock: socket.socket, wait_s: float) -> list[dict[str, Any]]:
    documents = []
    deadline = time.time() + wait_s
    sock.settimeout(0.2)
    while time.time() < deadline:
        try:
            datagram = sock.recv(65536)
        except socket.timeout:
            if documents:
                break
            continue
        header, _, body = datagram.decode().partition("\n")
        assert json.loads(header) == {"format": "json", "version": 1}
        documents.append(json.loads(body))
    return documents


def test_traced_lambda_invocation_records_subsegments(moto_server: str, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    document = {"stripe": material.generate("stripe")}
    cloud = create_cloud(document)
    config = material.provider_config("stripe", document["stripe"], {})
    delivery = sign("stripe", stripe_body("evt_traced"), config)
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(proxy_event("stripe", delivery.headers, delivery.body)))

    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    script = textwrap.dedent(f"""
        import json, sys
        sys.path[:0] = [{str(HANDLERS / "webhook_receiver")!r}, {str(LAYER)!r}]
        import handler
        assert "aws_xray_sdk.core" not in sys.modules, "imported at init"
        class Context:
            aws_request_id = "req-traced"
        response = handler.handler(json.load(open({str(event_file)!r})), Context())
        print(json.dumps({{"status": response["statusCode"], "setup_s": handler.tracing.setup_seconds}}))
    """)
    env = dict(os.environ,
               LAMBDA_TASK_ROOT=str(tmp_path), _X_AMZN_TRACE_ID=TRACE_HEADER,
               AWS_XRAY_DAEMON_ADDRESS=f"127.0.0.1:{daemon.getsockname()[1]}",
               AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR",
               EVENTS_TABLE=TABLE, PROCESSOR_FUNCTION=PROCESSOR, SECRET_ID=cloud.secret_arn,
               PROVIDERS_ENABLED="stripe", PROVIDER_SETTINGS="{}")
    try:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        documents = _received_documents(daemon, wait_s=5)
    finally:
        daemon.close()

    assert result["status"] == 200
    assert result["setup_s"] is not None
    names = {doc["name"] for doc in documents}
    assert {"verify", "store", "hand-off"} <= names, names
    assert {"dynamodb", "lambda", "secretsmanager"} <= names, names  # boto3 calls, through the patched botocore
    assert {doc["namespace"] for doc in documents if doc["name"] == "dynamodb"} == {"aws"}
    assert {doc["trace_id"] for doc in documents} == {TRACE_ID}
    store = next(doc for doc in documents if doc["name"] == "store")
    assert store["annotations"] == {"event_key": "stripe#evt_traced"}
    log_lines = [json.loads(line) for line in done.stdout.splitlines()[:-1] if line.startswith("{")]
    assert any(line.get("message") == "x-ray enabled" for line in log_lines)
