"""The local cloud's state survives `local stop`/`start` and a kill -9; `--fresh` and `local reset` forget it.

Every test here restarts or kills the local cloud, so the module runs on one of its own.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import LocalCloud, wait_for
from tests.e2e.pipeline import audit_lines, post, signer, stored

pytestmark = pytest.mark.e2e

ENV = "durable"


def _json(cloud: LocalCloud, *args: str):
    result = cloud.run(*args, "-o", "json", timeout=180)
    assert result.returncode == 0, f"webhookctl {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}"
    return json.loads(result.stdout)


def _pid(cloud: LocalCloud) -> int:
    return _json(cloud, "local", "status")["pid"]


def _start(cloud: LocalCloud, *extra: str) -> dict:
    return _json(cloud, "local", "start", "--port", str(cloud.port), "--config", str(cloud.config), *extra)


def _restart(cloud: LocalCloud) -> dict:
    stopped = cloud.run("local", "stop", timeout=60)
    assert stopped.returncode == 0, stopped.stderr
    return _start(cloud)


def _kill9_and_restart(cloud: LocalCloud) -> dict:
    pid = _pid(cloud)
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: cloud.run("local", "status", "-o", "json").stdout.count('"running": false'), timeout=10)
    started = _start(cloud)
    assert started["pid"] != pid
    return started


def _events(cloud: LocalCloud, env: str) -> dict[str, dict]:
    listed = _json(cloud, "events", "list", *cloud.env_args(env), "--limit", "100000")
    rows = listed["events"] if isinstance(listed, dict) else listed
    return {row["event_key"]: row for row in rows}


def _dlq_depth(cloud: LocalCloud, env: str) -> int:
    return sum(q["visible"] + q["in_flight"] for q in _json(cloud, "dlq", "list", *cloud.env_args(env)) if q["queue"] == "processor")


def _dead_lettered_keys(cloud: LocalCloud, outputs: dict[str, str]) -> set[str]:
    peeked = _json(cloud, "dlq", "peek", *cloud.env_args(outputs["Env"]), "--limit", "1000")
    return {message["event_key"] for message in peeked["messages"] if message.get("event_key")}


def test_restart_keeps_the_env_its_events_dead_letters_and_audit_lines(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    outputs = cloud.outputs(ENV)
    sent = _json(cloud, "send-test", "stripe", *cloud.env_args(ENV), "--count", "5")
    assert sent["summary"]["processed"] == 5
    cloud.client("sqs").send_message(QueueUrl=outputs["ProcessorDlqUrl"], MessageBody=json.dumps({"event_key": "stripe#evt_parked"}))
    events_before = _events(cloud, ENV)
    audit_before = {key: audit_lines(cloud, outputs, key) for key in events_before}

    _restart(cloud)

    assert _json(cloud, "status", *cloud.env_args(ENV))["deployed"] is True
    assert _events(cloud, ENV) == events_before
    assert {key: audit_lines(cloud, outputs, key) for key in events_before} == audit_before
    assert _dlq_depth(cloud, ENV) == 1
    plan = cloud.run("plan", *cloud.env_args(ENV), "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout[-2000:]  # every resource came back as it was
    # The functions run again without a new `up`, and the stream goes on where it was.
    again = _json(cloud, "send-test", "github", *cloud.env_args(ENV), "--count", "2")
    assert again["summary"]["processed"] == 2 and all(r["audit_logged"] for r in again["results"])
    assert {key: audit_lines(cloud, outputs, key) for key in events_before} == audit_before  # nothing audited twice


def test_kill_9_during_deliveries_loses_nothing_answered_and_processes_nothing_twice(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    outputs = cloud.outputs(ENV)
    sign = signer(cloud, ENV, "stripe")
    url = outputs["WebhookUrlTemplate"].replace("{provider}", "stripe")
    answered: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def deliver(_: int) -> None:
        while not stop.is_set():
            delivery = sign.build(None)
            try:
                reply = post(url, delivery.body, delivery.headers)
            except OSError:
                return  # the cloud died under this request: it was never answered
            with lock:
                answered[delivery.event_key] = reply.status

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(deliver, n) for n in range(8)]
        assert wait_for(lambda: len(answered) >= 120, timeout=120), f"only {len(answered)} answers"
        pid = _pid(cloud)
        os.kill(pid, signal.SIGKILL)
        stop.set()
        for future in futures:
            future.result(timeout=120)
    accepted = {key for key, status in answered.items() if 200 <= status < 300}
    assert accepted
    assert wait_for(lambda: cloud.run("local", "status", "-o", "json").stdout.count('"running": false'), timeout=10)
    _start(cloud)

    def settled() -> dict[str, str] | None:
        fates = {key: (stored(cloud, outputs, key) or {}).get("status", {}).get("S", "LOST") for key in accepted}
        waiting = [key for key, fate in fates.items() if fate != "PROCESSED"]
        if waiting and not set(waiting) <= _dead_lettered_keys(cloud, outputs):
            return None
        return fates

    fates = wait_for(settled, timeout=90, interval=1.0)
    lost = [key for key in accepted if (stored(cloud, outputs, key) is None)]
    assert not lost, f"{len(lost)} of {len(accepted)} answered events are gone"
    assert fates is not None, "answered events neither PROCESSED nor in the DLQ 90 s after the restart"
    processed = [key for key, fate in fates.items() if fate == "PROCESSED"]
    attempts = {key: int(stored(cloud, outputs, key)["attempts"]["N"]) for key in processed}
    twice = {key: n for key, n in attempts.items() if n != 1}
    assert not twice, f"processed more than once: {twice}"
    print(f"\nkill -9: {len(accepted)} answered 2xx; after the restart {len(processed)} PROCESSED + "
          f"{len(accepted) - len(processed)} in the DLQ; 0 lost; 0 processed twice")


def test_fresh_start_and_reset_forget_the_saved_state(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    cloud.outputs(ENV)
    stopped = cloud.run("local", "stop", timeout=60)
    assert stopped.returncode == 0
    unconfirmed = cloud.run("local", "reset")  # no terminal to ask on
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr and "Traceback" not in unconfirmed.stderr
    _start(cloud)
    assert _json(cloud, "status", *cloud.env_args(ENV))["deployed"] is True  # nothing was forgotten
    refused = cloud.run("local", "reset", "--yes")
    assert refused.returncode == 1 and "local stop" in refused.stderr  # not under a running cloud

    cloud.run("local", "stop", timeout=60)
    _start(cloud, "--fresh")
    status = cloud.run("status", *cloud.env_args(ENV), "-o", "json")
    assert status.returncode == 4, status.stdout
    cloud.deployed.pop(ENV, None)
    cloud.outputs(ENV)  # deployed again on the fresh cloud

    cloud.run("local", "stop", timeout=60)
    reset = _json(cloud, "local", "reset", "--yes")
    assert reset["removed_bytes"] > 0
    _start(cloud)
    assert cloud.run("status", *cloud.env_args(ENV), "-o", "json").returncode == 4
    cloud.deployed.pop(ENV, None)


def test_a_damaged_snapshot_is_one_clear_line_and_is_kept(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    cloud.outputs(ENV)
    cloud.run("local", "stop", timeout=60)
    snapshot = cloud.home / "local" / "state" / "server" / "snapshot"
    good = snapshot.read_bytes()
    snapshot.write_bytes(good[: len(good) // 2] + b"\x00" * 64 + good[len(good) // 2 + 64:])
    refused = cloud.run("local", "start", "--port", str(cloud.port), "--config", str(cloud.config), timeout=60)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "damaged" in refused.stderr and "--fresh" in refused.stderr, refused.stderr
    assert len([line for line in refused.stderr.splitlines() if line.startswith("error:")]) == 1
    assert snapshot.exists()  # never dropped: the user decides
    snapshot.write_bytes(good)
    _start(cloud)
    assert _json(cloud, "status", *cloud.env_args(ENV))["deployed"] is True
