"""Processes dying mid-`up` on the local cloud: the cloud itself, then `up`. The next `up` converges and `down` cleans up.

The kill point is random (seeded; set WEBHOOKCTL_FAULT_SEED to replay one): `up` is killed once
a random number of the env's resources exist, so it always dies in the middle of applying.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from tests.faults.dying_context import env_inventory
from webhookctl.names import TAG_ENV, Names

pytestmark = pytest.mark.e2e

FULL_ENV_TAGGED = 20  # tagged resources of a deployed env; the kill comes well before the last
SEED = int(os.environ.get("WEBHOOKCTL_FAULT_SEED") or time.time_ns() % 1_000_000)


@pytest.fixture
def rng() -> Iterator[random.Random]:
    yield random.Random(SEED)


def tagged_count(cloud, env: str) -> int:
    client = cloud.client("resourcegroupstaggingapi")
    return len(client.get_resources(TagFilters=[{"Key": TAG_ENV, "Values": [env]}])["ResourceTagMappingList"])


def start_up(cloud, env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "webhookctl", "up", *cloud.env_args(env), "--yes", "-o", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cloud.base_env,
        cwd=cloud.config.parent,
    )


def wait_until_partly_applied(cloud, env: str, up: subprocess.Popen, resources: int, timeout: float = 120.0) -> None:
    """Return once `resources` of the env exist while `up` is still running; fail if `up` finishes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if up.poll() is not None:
            pytest.fail(f"`up` ended (exit {up.returncode}) before {resources} resources existed (seed {SEED}): {up.stderr.read()[-800:]}")
        if tagged_count(cloud, env) >= resources:
            return
        time.sleep(0.02)
    up.kill()
    pytest.fail(f"`up` did not create {resources} resources within {timeout:.0f} s")


def live_group_members(group: int) -> list[str]:
    """Processes of a process group that still run (zombies, which only await reaping, do not count)."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if entry.name.isdigit() and int(fields[2]) == group and fields[0] != "Z":
            members.append(f"{entry.name} ({fields[0]}) {stat[stat.index('(') + 1:stat.rindex(')')]}")
    return members


def wait_for_no_live_process(group: int, timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while (members := live_group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return members


def cloud_pid(cloud) -> int:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{cloud.endpoint}/_webhookctl/health", timeout=5) as reply:
        return json.load(reply)["pid"]


def assert_one_clear_line(result_stderr: str) -> None:
    assert "Traceback" not in result_stderr, result_stderr[-2000:]
    assert result_stderr.strip().splitlines()[-1].startswith(("error:", "hint:")), result_stderr[-800:]


def stale_key_references(cloud, outputs: dict[str, str]) -> dict[str, str]:
    """Stores of the env encrypted with anything but the key its alias names now."""
    key = cloud.client("kms").describe_key(KeyId=f"alias/webhookctl-key-{outputs['Env']}")["KeyMetadata"]["Arn"]
    found = {"table": cloud.client("dynamodb").describe_table(TableName=outputs["EventsTableName"])["Table"]["SSEDescription"]["KMSMasterKeyArn"]}
    for queue in ("ProcessorDlqUrl", "AuditDlqUrl"):
        found[queue] = cloud.client("sqs").get_queue_attributes(QueueUrl=outputs[queue], AttributeNames=["KmsMasterKeyId"])["Attributes"]["KmsMasterKeyId"]
    found["topic"] = cloud.client("sns").get_topic_attributes(TopicArn=outputs["AlertsTopicArn"])["Attributes"]["KmsMasterKeyId"]
    found["secret"] = cloud.client("secretsmanager").describe_secret(SecretId=outputs["ProviderSecretArn"])["KmsKeyId"]
    for group in cloud.client("logs").describe_log_groups()["logGroups"]:
        if group["logGroupName"].endswith(f"-{outputs['Env']}"):
            found[group["logGroupName"]] = group.get("kmsKeyId", "")
    for function in ("ReceiverFunctionName", "ProcessorFunctionName", "AuditFunctionName"):
        found[function] = cloud.client("lambda").get_function_configuration(FunctionName=outputs[function]).get("KMSKeyArn", "")
    return {store: arn for store, arn in found.items() if arn != key}


def converge_and_clean_up(cloud, env: str) -> None:
    """`up` converges (a further plan has nothing to do), then `down` leaves nothing of the env."""
    again = cloud.up(env)
    assert again.returncode == 0, f"`up` did not converge (seed {SEED}): {again.stderr[-2000:]}"
    plan = cloud.run("plan", *cloud.env_args(env), "--detailed-exitcode")
    assert plan.returncode == 0, f"changes still pending after `up`: {plan.stdout[-2000:]}"
    assert stale_key_references(cloud, json.loads(again.stdout)["outputs"]) == {}
    down = cloud.run("down", *cloud.env_args(env), "--yes", "-o", "json")
    assert down.returncode == 0, down.stderr[-2000:]
    assert json.loads(down.stdout)["remaining"] == []
    assert env_inventory(cloud.client, Names("webhookctl", env)) == []


def test_up_converges_after_the_local_cloud_dies_mid_up(local_cloud, rng):
    env = "cloudkill"
    pid = cloud_pid(local_cloud)
    up = start_up(local_cloud, env)
    try:
        wait_until_partly_applied(local_cloud, env, up, rng.randint(1, FULL_ENV_TAGGED - 8))
        os.kill(pid, signal.SIGKILL)
        assert wait_for_no_live_process(pid) == [], "the killed cloud left processes behind"
        # Restarted while `up` is still retrying: `up` then meets the cloud's saved state, which
        # holds every change that was answered, and none that the kill cut short.
        restarted = local_cloud.run("local", "start", "--port", str(local_cloud.port), "--config", str(local_cloud.config), timeout=60)
        assert restarted.returncode == 0, restarted.stderr
        assert cloud_pid(local_cloud) != pid
        _, stderr = up.communicate(timeout=180)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    if up.returncode != 0:
        assert_one_clear_line(stderr)
    converge_and_clean_up(local_cloud, env)


@pytest.mark.parametrize("then", ["up", "down"])
def test_env_converges_after_up_is_killed_at_a_random_point(local_cloud, rng, then):
    env = f"upkill{then}"
    up = start_up(local_cloud, env)
    try:
        wait_until_partly_applied(local_cloud, env, up, rng.randint(1, FULL_ENV_TAGGED - 8))
        up.send_signal(signal.SIGKILL)
        up.wait(timeout=30)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    assert up.returncode == -signal.SIGKILL
    if then == "up":
        converge_and_clean_up(local_cloud, env)
    else:  # `down` straight after a partial `up` removes what it left
        down = local_cloud.run("down", *local_cloud.env_args(env), "--yes", "-o", "json")
        assert down.returncode == 0, f"seed {SEED}: {down.stderr[-2000:]}"
        assert json.loads(down.stdout)["remaining"] == []
        assert env_inventory(local_cloud.client, Names("webhookctl", env)) == []
