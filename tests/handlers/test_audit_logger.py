"""The audit logger against moto: one JSON line per stream record, failures reported by sequence number."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, Callable, Iterator

import pytest
from moto import mock_aws

from tests.handlers.cloud import AUDIT_LOG_GROUP, Cloud, create_cloud
from tests.handlers.lambda_events import LambdaContext


@pytest.fixture
def cloud(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    with mock_aws():
        cloud = create_cloud({})
        monkeypatch.setenv("AUDIT_LOG_GROUP", AUDIT_LOG_GROUP)
        yield cloud


@pytest.fixture
def audit(cloud: Cloud, load_handler: Callable[[str], ModuleType]) -> ModuleType:
    return load_handler("audit_logger")


def image(status: str, key: str = "stripe#evt_1") -> dict[str, Any]:
    return {"event_key": {"S": key}, "provider": {"S": "stripe"}, "event_type": {"S": "charge.succeeded"},
            "status": {"S": status}, "attempts": {"N": "0"}}


def record(sequence: str, name: str, old: dict | None, new: dict | None, key: str = "stripe#evt_1") -> dict[str, Any]:
    change: dict[str, Any] = {"ApproximateCreationDateTime": 1714564800.0, "Keys": {"event_key": {"S": key}},
                              "SequenceNumber": sequence, "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old is not None:
        change["OldImage"] = old
    if new is not None:
        change["NewImage"] = new
    return {"eventID": f"id-{sequence}", "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": change}


def audit_lines(cloud: Cloud) -> list[dict[str, Any]]:
    lines = []
    for stream in cloud.logs.describe_log_streams(logGroupName=AUDIT_LOG_GROUP)["logStreams"]:
        events = cloud.logs.get_log_events(logGroupName=AUDIT_LOG_GROUP, logStreamName=stream["logStreamName"])
        lines += [json.loads(event["message"]) for event in events["events"]]
    return lines


def test_one_line_per_record_with_every_field(audit, cloud):
    batch = {"Records": [
        record("100", "INSERT", None, image("RECEIVED")),
        record("200", "MODIFY", image("RECEIVED"), image("PROCESSED")),
        record("300", "REMOVE", image("PROCESSED"), None),
    ]}
    assert audit.handler(batch, LambdaContext()) == {"batchItemFailures": []}
    lines = audit_lines(cloud)
    assert lines == [
        {"event_key": "stripe#evt_1", "provider": "stripe", "event_type": "charge.succeeded", "old_status": None,
         "new_status": "RECEIVED", "time": "2024-05-01T12:00:00.000Z", "sequence_number": "100", "event_name": "INSERT"},
        {"event_key": "stripe#evt_1", "provider": "stripe", "event_type": "charge.succeeded", "old_status": "RECEIVED",
         "new_status": "PROCESSED", "time": "2024-05-01T12:00:00.000Z", "sequence_number": "200", "event_name": "MODIFY"},
        {"event_key": "stripe#evt_1", "provider": "stripe", "event_type": "charge.succeeded", "old_status": "PROCESSED",
         "new_status": None, "time": "2024-05-01T12:00:00.000Z", "sequence_number": "300", "event_name": "REMOVE"},
    ]


def test_one_log_stream_per_container_and_one_put_per_batch(audit, cloud):
    calls: list[str] = []
    client = audit.aws_clients.client("logs")
    client.meta.events.register("before-call.logs.*", lambda model, **_: calls.append(model.name))
    for sequence in ("1", "2", "3"):
        audit.handler({"Records": [record(sequence + "0", "INSERT", None, image("RECEIVED", f"stripe#evt_{sequence}")),
                                   record(sequence + "1", "MODIFY", image("RECEIVED"), image("PROCESSED"))]},
                      LambdaContext())
    assert calls == ["CreateLogStream", "PutLogEvents", "PutLogEvents", "PutLogEvents"]
    assert len(cloud.logs.describe_log_streams(logGroupName=AUDIT_LOG_GROUP)["logStreams"]) == 1
    assert len(audit_lines(cloud)) == 6


def test_failing_record_is_reported_while_the_others_are_logged(audit, cloud, capsys):
    broken = record("200", "MODIFY", image("RECEIVED"), image("PROCESSED"))
    del broken["dynamodb"]["Keys"], broken["dynamodb"]["OldImage"]["event_key"], broken["dynamodb"]["NewImage"]["event_key"]
    batch = {"Records": [record("100", "INSERT", None, image("RECEIVED")), broken,
                         record("300", "INSERT", None, image("RECEIVED", "github#d-1"))]}
    assert audit.handler(batch, LambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    assert [line["sequence_number"] for line in audit_lines(cloud)] == ["100", "300"]
    errors = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"ERROR"' in line]
    assert errors and errors[0]["sequence_number"] == "200"


def test_unwritable_log_reports_every_record_for_retry(audit, cloud):
    cloud.logs.delete_log_group(logGroupName=AUDIT_LOG_GROUP)
    batch = {"Records": [record("100", "INSERT", None, image("RECEIVED")),
                         record("200", "MODIFY", image("RECEIVED"), image("PROCESSED"))]}
    assert audit.handler(batch, LambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "100"},
                                                                          {"itemIdentifier": "200"}]}


def test_log_stream_deleted_under_a_warm_container_is_recreated(audit, cloud):
    audit.handler({"Records": [record("100", "INSERT", None, image("RECEIVED"))]}, LambdaContext())
    stream = audit._deps.audit_log.stream
    cloud.logs.delete_log_stream(logGroupName=AUDIT_LOG_GROUP, logStreamName=stream)
    assert audit.handler({"Records": [record("200", "INSERT", None, image("RECEIVED"))]}, LambdaContext()) == {
        "batchItemFailures": []}
    assert [line["sequence_number"] for line in audit_lines(cloud)] == ["200"]


def test_a_batch_that_is_not_a_stream_batch_fails_the_invocation(audit):
    with pytest.raises(ValueError):
        audit.handler({"nothing": []}, LambdaContext())
