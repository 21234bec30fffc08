"""The completion wait: quick first polls that back off, and no reads that cannot find anything yet."""

from __future__ import annotations

import json
import time

from webhookctl.operations import completion
from webhookctl.operations.completion import CompletionWatcher
from webhookctl.operations.deployment import Deployment


def _store(env, key: str, status: str) -> None:
    env.client("dynamodb").put_item(
        TableName=env.names.table,
        Item={"event_key": {"S": key}, "status": {"S": status}, "received_at": {"S": "2026-01-01T00:00:00.000Z"}, "attempts": {"N": "1"}},
    )


def _audit(env, key: str) -> None:
    logs = env.client("logs")
    try:
        logs.create_log_stream(logGroupName=env.names.audit_log_group, logStreamName="audit")
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    line = {"event_key": key, "old_status": "RECEIVED", "new_status": "PROCESSED"}
    logs.put_log_events(logGroupName=env.names.audit_log_group, logStreamName="audit",
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(line)}])


def _calls(env) -> dict[str, int]:
    return dict(env.ctx.counter.by_operation)


def test_the_audit_log_is_read_only_once_the_table_shows_processed(env):
    watcher = CompletionWatcher(Deployment(env.ctx, env.settings), since_ms=int(time.time() * 1000))
    watcher.watch(["stripe#evt_1"])
    _store(env, "stripe#evt_1", "RECEIVED")
    before = _calls(env)
    watcher.poll()
    after = _calls(env)
    assert after.get("logs:FilterLogEvents", 0) == before.get("logs:FilterLogEvents", 0)
    # Nothing sent after the watcher was made can have reached the DLQ yet.
    assert after.get("sqs:GetQueueAttributes", 0) == before.get("sqs:GetQueueAttributes", 0)

    _store(env, "stripe#evt_1", "PROCESSED")
    _audit(env, "stripe#evt_1")
    watcher.poll()
    assert _calls(env).get("logs:FilterLogEvents", 0) == after.get("logs:FilterLogEvents", 0) + 1
    assert not watcher.pending()


def test_the_wait_polls_quickly_first_then_backs_off_to_its_interval(env, monkeypatch):
    watcher = CompletionWatcher(Deployment(env.ctx, env.settings), since_ms=int(time.time() * 1000))
    watcher.watch(["stripe#evt_never"])
    pauses: list[float] = []
    monkeypatch.setattr(completion.time, "sleep", pauses.append)
    monkeypatch.setattr(watcher, "poll", lambda: None)
    clock = iter(float(second) for second in range(100))
    monkeypatch.setattr(completion.time, "monotonic", lambda: next(clock))
    watcher.wait(7, interval_s=0.5)
    assert pauses[:6] == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5]
