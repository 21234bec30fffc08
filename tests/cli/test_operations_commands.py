"""The operating commands through the CLI against a moto server: exit codes, JSON keys, no secret values."""

from __future__ import annotations

import json

import pytest

from tests.cli.operations_env import deploy_on, reset, run
from tests.operations.conftest import put_event, send_processor_letter


@pytest.fixture
def deployed(moto_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return deploy_on(moto_server)


def test_commands_on_an_env_that_does_not_exist_exit_4(moto_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reset(moto_server)
    for args in (["events", "list"], ["dlq", "list"], ["secrets", "list"], ["audit", "tail"], ["logs", "receiver"], ["send-test", "stripe"], ["dlq", "replay", "--dry-run"]):
        result = run(moto_server, *args)
        assert result.exit_code == 4, (args, result.output)


def test_usage_errors_exit_2(deployed, moto_server):
    assert run(moto_server, "send-test", "nope").exit_code == 2
    assert run(moto_server, "dlq", "purge").exit_code == 2
    assert run(moto_server, "dlq", "peek", "--queue", "other").exit_code == 2
    assert run(moto_server, "logs", "nobody").exit_code == 2
    assert run(moto_server, "audit", "tail", "--since", "soon").exit_code == 2
    assert run(moto_server, "send-test", "github", "--stale").exit_code == 2
    assert run(moto_server, "send-test", "stripe", "--event", "nope").exit_code == 2


def test_events_list_and_show(deployed, moto_server):
    put_event(deployed, "stripe", "evt_1")
    listed = run(moto_server, "events", "list", "-o", "json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["event_key"] == "stripe#evt_1"
    shown = run(moto_server, "events", "show", "stripe#evt_1", "-o", "json")
    assert shown.exit_code == 0
    assert {"event_key", "provider", "event_id", "event_type", "status", "received_at", "processed_at", "attempts"} <= set(json.loads(shown.stdout))
    assert run(moto_server, "events", "show", "stripe#missing").exit_code == 1
    assert "stripe#evt_1" in run(moto_server, "events", "list").stdout


def test_secrets_never_show_a_value(deployed, moto_server):
    values = [s for entry in deployed.secret_document.values() for s in entry["secrets"]]
    new_value = "whsec_" + "Q" * 40
    outputs = []
    result = run(moto_server, "secrets", "set", "stripe", "--value", "-", "--keep-previous", input=new_value + "\n")
    assert result.exit_code == 0, result.output
    outputs.append(result.output)
    bad = run(moto_server, "secrets", "set", "stripe", "--value", "plainly-wrong-but-secret-123")
    assert bad.exit_code == 2
    outputs.append(bad.output)
    for output in ("text", "json"):
        listed = run(moto_server, "secrets", "list", "-o", output)
        assert listed.exit_code == 0
        outputs.append(listed.output)
    generated = run(moto_server, "secrets", "set", "adyen", "--generate", "-o", "json")
    outputs.append(generated.output)
    stored = json.loads(deployed.client("secretsmanager").get_secret_value(SecretId=deployed.names.secret)["SecretString"])
    everything = "\n".join(outputs)
    for value in [*values, new_value, "plainly-wrong-but-secret-123", *stored["adyen"]["secrets"]]:
        assert value not in everything
    assert stored["stripe"]["secrets"][:2] == [new_value, values[0]]


def test_dlq_list_peek_replay_dry_run_and_purge(deployed, moto_server):
    for i in range(3):
        put_event(deployed, "stripe", f"evt_{i}")
        send_processor_letter(deployed, "stripe", f"evt_{i}")
    listed = json.loads(run(moto_server, "dlq", "list", "-o", "json").stdout)
    assert [set(q) >= {"queue", "url", "visible", "in_flight"} for q in listed] == [True, True]
    assert listed[0]["visible"] == 3
    peeked = run(moto_server, "dlq", "peek", "-o", "json")
    assert len(json.loads(peeked.stdout)["messages"]) == 3
    dry = run(moto_server, "dlq", "replay", "--dry-run", "-o", "json")
    assert dry.exit_code == 0
    document = json.loads(dry.stdout)
    assert {k: document[k] for k in ("queue", "dry_run", "candidates", "replayed", "succeeded", "failed")} == {
        "queue": "processor", "dry_run": True, "candidates": 3, "replayed": 0, "succeeded": 0, "failed": 0}
    assert json.loads(run(moto_server, "dlq", "list", "-o", "json").stdout)[0]["visible"] == 3
    purged = run(moto_server, "dlq", "purge", "--yes", "-o", "json")
    assert purged.exit_code == 0 and json.loads(purged.stdout)["purged"] == 3


def test_audit_tail_and_logs_read_each_line_once(deployed, moto_server):
    import time

    logs = deployed.client("logs")
    logs.create_log_stream(logGroupName=deployed.names.audit_log_group, logStreamName="a")
    now = int(time.time() * 1000)
    lines = [{"event_key": f"stripe#evt_{i}", "provider": "stripe", "event_type": "x", "old_status": None, "new_status": "RECEIVED", "time": "t", "sequence_number": str(i), "event_name": "INSERT"} for i in range(5)]
    logs.put_log_events(logGroupName=deployed.names.audit_log_group, logStreamName="a", logEvents=[{"timestamp": now + i, "message": json.dumps(l)} for i, l in enumerate(lines)])
    tail = json.loads(run(moto_server, "audit", "tail", "-o", "json").stdout)
    assert [e["event_key"] for e in tail] == [l["event_key"] for l in lines]
    one = json.loads(run(moto_server, "audit", "tail", "--event", "stripe#evt_3", "-o", "json").stdout)
    assert [e["event_key"] for e in one] == ["stripe#evt_3"]
    group = deployed.names.function_log_group("processor")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now, "message": "START RequestId: 1"}])
    out = json.loads(run(moto_server, "logs", "processor", "-o", "json").stdout)
    assert [line["message"] for line in out["lines"]] == ["START RequestId: 1"]
    assert run(moto_server, "logs", "receiver").exit_code == 0  # no log group yet: no lines, not an error
