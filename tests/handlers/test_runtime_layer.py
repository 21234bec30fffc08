"""The shared runtime layer package: JSON logs that never carry secrets, timestamps, boto3 clients."""

from __future__ import annotations

import io
import json

import pytest

from tests.handlers.handler_loading import forget_handler_modules


@pytest.fixture
def runtime(monkeypatch):
    from tests.handlers.handler_loading import LAYER

    forget_handler_modules()
    monkeypatch.syspath_prepend(str(LAYER))
    import webhook_runtime.structured_log as structured_log
    import webhook_runtime.timestamps as timestamps
    yield structured_log, timestamps
    forget_handler_modules()


def test_log_lines_are_json_with_bound_fields_and_redacted_secrets(runtime):
    structured_log, _ = runtime
    stream = io.StringIO()
    log = structured_log.JsonLogger("svc", stream=stream, level="INFO").bind(request_id="r-1", event_key="stripe#e")
    log.debug("hidden")
    log.info("accepted", status=200, signature="t=1,v1=abc", headers={"Stripe-Signature": "v1=abc", "x-id": "1"})
    log.bind(webhook_secret="whsec_x").warning("refused")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["accepted", "refused"]
    first = lines[0]
    assert first["level"] == "INFO" and first["service"] == "svc" and first["time"].endswith("Z")
    assert first["request_id"] == "r-1" and first["event_key"] == "stripe#e" and first["status"] == 200
    assert first["signature"] == "[redacted]"
    assert first["headers"] == {"Stripe-Signature": "[redacted]", "x-id": "1"}
    assert lines[1]["webhook_secret"] == "[redacted]"
    assert "abc" not in stream.getvalue() and "whsec_x" not in stream.getvalue()


def test_log_level_comes_from_log_level(runtime, monkeypatch):
    structured_log, _ = runtime
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    stream = io.StringIO()
    log = structured_log.JsonLogger("svc", stream=stream)
    log.warning("quiet")
    log.exception("loud", ValueError("boom"))
    [line] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["error"] == "ValueError" and line["error_message"] == "boom"


def test_timestamps_round_trip_with_milliseconds(runtime):
    _, timestamps = runtime
    assert timestamps.iso_utc(1714564800.123) == "2024-05-01T12:00:00.123Z"
    assert timestamps.iso_utc(1714564801.9996) == "2024-05-01T12:00:02.000Z"
    assert timestamps.parse_iso_utc("2024-05-01T12:00:00.123Z") == pytest.approx(1714564800.123)
    with pytest.raises(ValueError):
        timestamps.parse_iso_utc("2024-05-01T12:00:00")


def test_clients_are_made_once_and_honour_aws_endpoint_url(runtime, aws_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    import webhook_runtime.aws_clients as aws_clients

    client = aws_clients.client("dynamodb")
    assert aws_clients.client("dynamodb") is client
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
