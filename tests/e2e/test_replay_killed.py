"""`dlq replay` killed with SIGKILL halfway loses nothing: run again, every event ends PROCESSED exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

ENV = "sigkillreplay"
EVENTS = 60


def _fill_dead_letters(local_cloud) -> list[str]:
    """Failed events as the runtime leaves them: stored RECEIVED, and the receiver's payload in the processor DLQ."""
    outputs = local_cloud.outputs(ENV)
    dynamodb, sqs = local_cloud.client("dynamodb"), local_cloud.client("sqs")
    tag = uuid.uuid4().hex[:8]
    keys = [f"stripe#evt_{tag}_{i:03d}" for i in range(EVENTS)]
    for start in range(0, EVENTS, 25):
        dynamodb.batch_write_item(RequestItems={outputs["EventsTableName"]: [{"PutRequest": {"Item": {
            "event_key": {"S": key}, "provider": {"S": "stripe"}, "event_id": {"S": key.split("#", 1)[1]},
            "event_type": {"S": "payment_intent.succeeded"}, "status": {"S": "RECEIVED"}, "attempts": {"N": "0"},
            "received_at": {"S": "2024-05-01T10:00:00.000Z"}, "body": {"S": "{}"}, "headers": {"M": {}},
        }}} for key in keys[start : start + 25]]})  # fmt: skip
    for start in range(0, EVENTS, 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps({"event_key": key, "provider": "stripe", "event_id": key.split("#", 1)[1],
                                                             "event_type": "payment_intent.succeeded"})}
                   for i, key in enumerate(keys[start : start + 10])]  # fmt: skip
        assert not sqs.send_message_batch(QueueUrl=outputs["ProcessorDlqUrl"], Entries=entries).get("Failed")
    return keys


def _statuses(local_cloud, keys: list[str]) -> dict[str, tuple[str, int]]:
    table = local_cloud.outputs(ENV)["EventsTableName"]
    found = {}
    for start in range(0, len(keys), 100):
        request = {table: {"Keys": [{"event_key": {"S": k}} for k in keys[start : start + 100]], "ConsistentRead": True}}
        while request:
            response = local_cloud.client("dynamodb").batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table, []):
                found[item["event_key"]["S"]] = (item["status"]["S"], int(item["attempts"]["N"]))
            request = response.get("UnprocessedKeys") or {}
    return found


def _depth(local_cloud) -> tuple[int, int]:
    url = local_cloud.outputs(ENV)["ProcessorDlqUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = local_cloud.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


def _replay(local_cloud):
    result = local_cloud.run("dlq", "replay", *local_cloud.env_args(ENV), "-o", "json")
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_replay_killed_halfway_then_run_again_processes_every_event_once(local_cloud, deployed):
    deployed(ENV)
    keys = _fill_dead_letters(local_cloud)
    process = subprocess.Popen(
        [sys.executable, "-m", "webhookctl", "dlq", "replay", *local_cloud.env_args(ENV), "-o", "json", "--concurrency", "2", "--rate", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=local_cloud.base_env, cwd=local_cloud.config.parent,
    )  # fmt: skip
    try:
        processed = lambda: sum(status == "PROCESSED" for status, _ in _statuses(local_cloud, keys).values())  # noqa: E731
        wait_for(lambda: processed() >= EVENTS // 2 or process.poll() is not None, timeout=60, interval=0.05)
        process.send_signal(signal.SIGKILL)  # no handler runs: nothing is released, nothing is printed
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    halfway = processed()
    assert EVENTS // 2 <= halfway < EVENTS, halfway  # killed halfway, not after the end

    # What the killed run held comes back when its lease runs out (no one renews it); then a plain run finishes.
    wait_for(lambda: _depth(local_cloud)[1] == 0, timeout=30, interval=0.2)
    left, _ = _depth(local_cloud)
    assert left > 0  # the killed run's deletes stopped with it: its unfinished messages are still in the queue
    result, document = _replay(local_cloud)
    assert result.returncode == 0, result.stderr
    assert document["in_flight_at_start"] == 0 and document["failed"] == 0
    assert document["succeeded"] == left  # each message left in the queue replayed once, none lost on the way

    statuses = _statuses(local_cloud, keys)
    wrong = {key: statuses.get(key) for key in keys if statuses.get(key) != ("PROCESSED", 1)}
    assert not wrong, wrong  # every event PROCESSED, exactly once, the replayed-twice ones included
    assert _depth(local_cloud) == (0, 0)  # nothing left to replay, nothing held
