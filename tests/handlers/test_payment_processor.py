"""The payment processor against moto: RECEIVED -> PROCESSED once, replays are no-ops, bad input raises."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, Callable, Iterator

import pytest
from moto import mock_aws

from tests.handlers.cloud import TABLE, Cloud, create_cloud
from tests.handlers.lambda_events import LambdaContext

MESSAGE = {"event_key": "stripe#evt_1", "provider": "stripe", "event_id": "evt_1", "event_type": "charge.succeeded"}


@pytest.fixture
def cloud(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    with mock_aws():
        cloud = create_cloud({})
        monkeypatch.setenv("EVENTS_TABLE", TABLE)
        yield cloud


@pytest.fixture
def processor(cloud: Cloud, load_handler: Callable[[str], ModuleType]) -> ModuleType:
    return load_handler("payment_processor")


def stored(cloud: Cloud, status: str = "RECEIVED", **extra: Any) -> None:
    cloud.put_item(event_key="stripe#evt_1", provider="stripe", event_id="evt_1", event_type="charge.succeeded",
                   status=status, attempts=0, received_at="2024-05-01T12:00:00.000Z", **extra)


def test_received_event_becomes_processed_with_attempts_and_time(processor, cloud, capsys):
    stored(cloud)
    result = processor.handler(dict(MESSAGE), LambdaContext())
    assert result == {"event_key": "stripe#evt_1", "outcome": "processed", "attempts": 1}
    item = cloud.item("stripe#evt_1")
    assert item["status"] == {"S": "PROCESSED"}
    assert item["attempts"] == {"N": "1"}
    processed_at = item["processed_at"]["S"]
    assert processed_at.endswith("Z") and len(processed_at) == 24
    assert item["received_at"] == {"S": "2024-05-01T12:00:00.000Z"}
    log = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(line["event_key"] == "stripe#evt_1" and line["message"] == "processed" for line in log)


def test_replay_of_a_processed_event_is_a_successful_no_op(processor, cloud):
    stored(cloud)
    processor.handler(dict(MESSAGE), LambdaContext())
    before = cloud.item("stripe#evt_1")
    replay = processor.handler(dict(MESSAGE), LambdaContext())
    assert replay == {"event_key": "stripe#evt_1", "outcome": "already_processed", "attempts": None}
    assert cloud.item("stripe#evt_1") == before


def test_missing_item_raises_so_lambda_retries_then_dead_letters(processor, cloud):
    with pytest.raises(Exception, match="no stored event stripe#evt_1"):
        processor.handler(dict(MESSAGE), LambdaContext())
    assert cloud.item("stripe#evt_1") is None


@pytest.mark.parametrize("payload", [
    "not an object",
    {"provider": "stripe", "event_id": "evt_1"},
    {"event_key": "stripe#evt_2", "provider": "stripe", "event_id": "evt_1"},
])
def test_bad_payload_raises(processor, cloud, payload):
    stored(cloud)
    with pytest.raises(Exception):
        processor.handler(payload, LambdaContext())
    assert cloud.item("stripe#evt_1")["status"] == {"S": "RECEIVED"}


def test_unknown_stored_status_raises(processor, cloud):
    stored(cloud, status="QUARANTINED")
    with pytest.raises(Exception, match="QUARANTINED"):
        processor.handler(dict(MESSAGE), LambdaContext())
