"""`dlq replay` killed with SIGINT or SIGTERM at random points strands nothing; every event ends PROCESSED once."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

ENV = "killreplay"
EVENTS = 40


def _json(local_cloud, *args):
    result = local_cloud.run(*args, *local_cloud.env_args(ENV), "-o", "json")
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def _depth(local_cloud):
    _, depths = _json(local_cloud, "dlq", "list")
    return {q["queue"]: q for q in depths}["processor"]


def _events(local_cloud) -> dict[str, dict]:
    _, listed = _json(local_cloud, "events", "list", "--limit", "100000")
    rows = listed["events"] if isinstance(listed, dict) else listed
    return {row["event_key"]: row for row in rows}


def _fill_dead_letters(local_cloud) -> list[str]:
    assert local_cloud.run("local", "chaos", "--function", "processor", "--error-rate", "1").returncode == 0
    try:
        result, document = _json(local_cloud, "send-test", "stripe", "--count", str(EVENTS), "--concurrency", "8", "--timeout", "90")
        assert {r["final_status"] for r in document["results"]} == {"DLQ"}, result.stderr
    finally:
        local_cloud.run("local", "chaos", "--clear")
    return [r["event_key"] for r in document["results"]]


def _interrupted_replay(local_cloud, signum: int, delay_s: float) -> tuple[int, dict | None, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "webhookctl", "dlq", "replay", *local_cloud.env_args(ENV), "-o", "json", "--concurrency", "2", "--rate", "15"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=local_cloud.base_env, cwd=local_cloud.config.parent,
    )
    sqs = local_cloud.client("sqs")
    url = local_cloud.outputs(ENV)["ProcessorDlqUrl"]

    def holding():  # the replay has received messages: it is inside its run
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessagesNotVisible"]) > 0 or process.poll() is not None

    wait_for(holding, timeout=60, interval=0.05)
    time.sleep(delay_s)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    return process.returncode, (json.loads(out) if out.strip() else None), err


def test_replay_killed_at_random_points_strands_nothing_and_processes_each_event_once(local_cloud, deployed):
    deployed(ENV)
    keys = _fill_dead_letters(local_cloud)
    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    outcomes = []
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGINT, signal.SIGTERM):
        delay_s = round(chooser.uniform(0.0, 0.6), 3)
        code, document, err = _interrupted_replay(local_cloud, signum, delay_s)
        outcomes.append((signum.name, delay_s, code, document and document["succeeded"], document and document["released"]))
        if document["interrupted"] is None:  # it finished before the signal came: exited, or was exiting
            assert code in (0, -signum), err  # a signal after the result is printed ends the process as any other
            break
        assert code == {"SIGINT": 130, "SIGTERM": 143}[signum.name], err
        assert document["interrupted"] == signum.name and "interrupted by" in err
        depth = _depth(local_cloud)
        assert depth["in_flight"] == 0, (outcomes, depth)  # everything held was made visible again
    print(f"seed {seed}: (signal, delay after the first receive, exit, replayed, released) {outcomes}")

    result, document = _json(local_cloud, "dlq", "replay")
    assert result.returncode == 0, result.stderr
    assert _depth(local_cloud)["visible"] == 0
    events = _events(local_cloud)  # one `events list` reads every event's status and attempts
    for key in keys:
        event = events.get(key)
        assert event is not None and event["status"] == "PROCESSED" and event["attempts"] == 1, (key, event)


def test_a_replay_that_finds_messages_in_flight_does_not_report_plain_success(local_cloud, deployed):
    deployed(ENV)
    _fill_dead_letters(local_cloud)
    sqs = local_cloud.client("sqs")
    url = local_cloud.outputs(ENV)["ProcessorDlqUrl"]
    held = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3, VisibilityTimeout=300)["Messages"]
    try:
        result, document = _json(local_cloud, "dlq", "replay")
        assert result.returncode == 1 and document["in_flight_at_start"] == len(held)
        assert "in flight" in result.stderr
        listed = local_cloud.run("dlq", "list", *local_cloud.env_args(ENV))
        assert f"{len(held)} message(s) in flight" in listed.stdout
    finally:
        sqs.change_message_visibility_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(held)]
        )
    result, document = _json(local_cloud, "dlq", "replay")
    assert result.returncode == 0 and document["succeeded"] == len(held), result.stderr
