"""`dlq replay --queue audit` on the local cloud: the Streams calls go to the endpoint URL with botocore 1.44.

botocore 1.44 names account-based Streams hosts ({account}.streams-ddb.{region}); with --target local every
call goes to the local cloud's own endpoint instead, and the replay reads the records the letter names.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

ENV = "auditreplay"


def cli_json(cloud, *args, timeout=300):
    result = cloud.run(*args, *cloud.env_args(ENV), "-o", "json", timeout=timeout)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def audit_depth(cloud) -> int:
    _, depths = cli_json(cloud, "dlq", "list")
    return {q["queue"]: q["visible"] for q in depths}["audit"]


def test_a_failed_audit_batch_replays_from_the_audit_dlq(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    cloud.outputs(ENV)
    assert cloud.run("local", "chaos", "--function", "audit", "--error-rate", "1").returncode == 0
    try:
        # The audit line never comes while the audit function fails: wait only for the processing.
        _, document = cli_json(cloud, "send-test", "stripe", "--count", "2", "--timeout", "5")
        keys = [r["event_key"] for r in document["results"]]
        assert wait_for(lambda: audit_depth(cloud) >= 1, timeout=90), "the failed stream batch never reached the audit DLQ"
    finally:
        cloud.run("local", "chaos", "--clear")
    for key in keys:
        assert cli_json(cloud, "events", "show", key)[1]["status"] == "PROCESSED"
        assert cli_json(cloud, "audit", "tail", "--since", "30m", "--event", key)[1] == []

    replay_result, replay = cli_json(cloud, "dlq", "replay", "--queue", "audit")
    assert replay_result.returncode == 0, replay_result.stderr
    assert replay["failed"] == 0 and replay["succeeded"] >= 1
    assert audit_depth(cloud) == 0
    for key in keys:
        _, entries = cli_json(cloud, "audit", "tail", "--since", "30m", "--event", key)
        assert entries, f"no audit line for {key} after the replay"
