"""Replay: dry runs change nothing, successes are deleted, failures stay, and replaying twice processes once."""

from __future__ import annotations

import json
import threading

import pytest

from webhookctl.errors import NotDeployedError, UsageError
from webhookctl.operations.dead_letter_replay import InvokeOutcome, RateLimiter, replay_dead_letters
from webhookctl.operations.dead_letters import list_queues, peek, purge

from tests.operations.conftest import put_event, queue_counts, send_processor_letter


class FakeProcessor:
    """Does what the processor does: a conditional RECEIVED -> PROCESSED, counting real changes."""

    def __init__(self, env, fail_keys=()):
        self.env = env
        self.fail_keys = set(fail_keys)
        self.calls: list[dict] = []
        self.processed: list[str] = []
        self._lock = threading.Lock()
        self._table_lock = threading.Lock()

    def __call__(self, function_name: str, payload: bytes) -> InvokeOutcome:
        assert function_name == self.env.names.function("processor")
        event = json.loads(payload)
        with self._lock:
            self.calls.append(event)
        if event["event_key"] in self.fail_keys:
            return InvokeOutcome(False, "Unhandled: still broken")
        client = self.env.client("dynamodb")
        try:
            # One conditional write at a time: DynamoDB (and the local cloud's table process) applies
            # each atomically, moto in process does not across threads, so two could both see RECEIVED.
            with self._table_lock:
                client.update_item(
                    TableName=self.env.names.table,
                    Key={"event_key": {"S": event["event_key"]}},
                    UpdateExpression="SET #s = :p",
                    ConditionExpression="#s = :r",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":p": {"S": "PROCESSED"}, ":r": {"S": "RECEIVED"}},
                )
            with self._lock:
                self.processed.append(event["event_key"])
        except client.exceptions.ConditionalCheckFailedException:
            pass  # already processed: idempotent
        return InvokeOutcome(True)


def _fill(env, count, provider="stripe"):
    keys = []
    for i in range(count):
        put_event(env, provider, f"evt_{provider}_{i}")
        keys.append(send_processor_letter(env, provider, f"evt_{provider}_{i}"))
    return keys


def test_dry_run_lists_candidates_and_leaves_every_message_visible(env):
    _fill(env, 23)
    processor = FakeProcessor(env)
    result = replay_dead_letters(env.ctx, env.settings, dry_run=True, invoker=processor)
    assert (result.candidates, result.replayed, result.succeeded, result.failed) == (23, 0, 0, 0)
    assert processor.calls == []
    assert queue_counts(env, "processor") == (23, 0)
    assert set(result.to_json()) >= {"queue", "dry_run", "candidates", "replayed", "succeeded", "failed"}
    assert result.to_json()["dry_run"] is True


def test_success_deletes_and_replaying_twice_processes_once(env):
    keys = _fill(env, 35)
    processor = FakeProcessor(env)
    first = replay_dead_letters(env.ctx, env.settings, invoker=processor, concurrency=8)
    assert (first.candidates, first.succeeded, first.failed) == (35, 35, 0)
    assert queue_counts(env, "processor") == (0, 0)
    assert sorted(processor.processed) == sorted(keys)

    second = replay_dead_letters(env.ctx, env.settings, invoker=processor)
    assert (second.candidates, second.replayed) == (0, 0)
    assert sorted(processor.processed) == sorted(keys)  # nothing processed a second time


def test_deletes_never_overlap(env, monkeypatch):
    # Concurrent DeleteMessageBatch calls can undo each other in the local cloud's SQS (moto's).
    _fill(env, 60)
    client = env.ctx.client("sqs")
    original = client.delete_message_batch
    in_flight, most = [0], [0]
    guard = threading.Lock()

    def delete_message_batch(**kwargs):
        with guard:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            threading.Event().wait(0.05)  # long enough for other workers to fill their own batch
            return original(**kwargs)
        finally:
            with guard:
                in_flight[0] -= 1

    monkeypatch.setattr(client, "delete_message_batch", delete_message_batch)
    result = replay_dead_letters(env.ctx, env.settings, invoker=FakeProcessor(env), concurrency=16)
    assert (result.succeeded, result.failed, result.delete_failed) == (60, 0, 0)
    assert most[0] == 1
    assert queue_counts(env, "processor") == (0, 0)


def test_a_duplicate_letter_is_replayed_but_processed_once(env):
    put_event(env, "stripe", "evt_dup")
    send_processor_letter(env, "stripe", "evt_dup")
    send_processor_letter(env, "stripe", "evt_dup")
    processor = FakeProcessor(env)
    result = replay_dead_letters(env.ctx, env.settings, invoker=processor)
    assert result.succeeded == 2
    assert processor.processed == ["stripe#evt_dup"]


def test_failure_keeps_the_message_visible_with_its_receive_count(env):
    keys = _fill(env, 12)
    processor = FakeProcessor(env, fail_keys=keys[:3])
    result = replay_dead_letters(env.ctx, env.settings, invoker=processor)
    assert (result.succeeded, result.failed) == (9, 3)
    assert queue_counts(env, "processor") == (3, 0)
    left = peek(env.ctx, env.settings, limit=10).messages
    assert sorted(m.event_key for m in left) == sorted(keys[:3])
    assert all(m.receive_count >= 2 for m in left)
    assert {m.outcome for m in result.messages if m.event_keys[0] in keys[:3]} == {"failed"}


def test_filters_by_provider_and_event_type_and_max(env):
    _fill(env, 5, "stripe")
    _fill(env, 4, "github")
    processor = FakeProcessor(env)
    result = replay_dead_letters(env.ctx, env.settings, provider="github", invoker=processor)
    assert (result.candidates, result.succeeded, result.skipped) == (4, 4, 5)
    assert queue_counts(env, "processor") == (5, 0)
    assert all(key.startswith("github#") for key in processor.processed)

    none = replay_dead_letters(env.ctx, env.settings, event_type="charge.refunded", invoker=processor)
    assert none.candidates == 0 and queue_counts(env, "processor") == (5, 0)

    limited = replay_dead_letters(env.ctx, env.settings, max_messages=2, invoker=processor)
    assert limited.candidates == 2 and limited.succeeded == 2
    assert queue_counts(env, "processor") == (3, 0)


def test_max_counts_matching_messages_when_receives_run_ahead(env):
    _fill(env, 5, "stripe")
    _fill(env, 4, "github")
    processor = FakeProcessor(env)
    result = replay_dead_letters(env.ctx, env.settings, provider="github", max_messages=3, invoker=processor, concurrency=4)
    assert (result.candidates, result.succeeded) == (3, 3)
    assert len(processor.processed) == 3 and all(key.startswith("github#") for key in processor.processed)
    assert queue_counts(env, "processor") == (6, 0)  # 5 stripe and 1 github left, all visible


def test_bad_arguments_are_usage_errors(env):
    with pytest.raises(UsageError):
        replay_dead_letters(env.ctx, env.settings, queue="nope")
    with pytest.raises(UsageError):
        replay_dead_letters(env.ctx, env.settings, provider="nope")
    with pytest.raises(UsageError):
        replay_dead_letters(env.ctx, env.settings, max_messages=0)


def test_an_env_without_queues_is_not_deployed(mocked, settings):
    from tests.operations.conftest import aws_context

    with pytest.raises(NotDeployedError) as caught:
        replay_dead_letters(aws_context(), settings, dry_run=True)
    assert caught.value.code == 4


def _stream_batch_message(env, records, *, shard_id=None, stream_arn=None):
    first, last = records[0], records[-1]
    return json.dumps({
        "requestContext": {"requestId": "r-1", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:x", "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 4},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2024-05-01T10:00:05.000Z",
        "DDBStreamBatchInfo": {
            "shardId": shard_id or first["shard"],
            "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": "2024-05-01T10:00:00Z",
            "approximateArrivalOfLastRecord": "2024-05-01T10:00:01Z",
            "batchSize": len(records),
            "streamArn": stream_arn or first["stream_arn"],
        },
    })


def _stream_records(env):
    streams = env.client("dynamodbstreams")
    arn = env.client("dynamodb").describe_table(TableName=env.names.table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    for record in records:
        record["shard"], record["stream_arn"] = shard, arn
    return records


class FakeAudit:
    def __init__(self, ok=True):
        self.events: list[dict] = []
        self.ok = ok

    def __call__(self, function_name, payload):
        self.events.append(json.loads(payload))
        return InvokeOutcome(self.ok, None if self.ok else "Unhandled")


def test_audit_letters_replay_the_stream_records_they_name(env):
    for i in range(4):
        put_event(env, "stripe" if i % 2 else "github", f"evt_a{i}")
    records = _stream_records(env)
    assert len(records) == 4
    env.client("sqs").send_message(QueueUrl=env.queue_url("audit"), MessageBody=_stream_batch_message(env, records[1:3]))
    audit = FakeAudit()

    dry = replay_dead_letters(env.ctx, env.settings, queue="audit", dry_run=True, invoker=audit)
    assert dry.candidates == 1 and audit.events == [] and queue_counts(env, "audit") == (1, 0)

    result = replay_dead_letters(env.ctx, env.settings, queue="audit", invoker=audit)
    assert (result.succeeded, result.rebuilt) == (1, 0)
    replayed = audit.events[0]["Records"]
    assert [r["dynamodb"]["Keys"]["event_key"]["S"] for r in replayed] == ["stripe#evt_a1", "github#evt_a2"]
    assert all(r["eventName"] == "INSERT" and r["eventSource"] == "aws:dynamodb" for r in replayed)
    assert queue_counts(env, "audit") == (0, 0)


def test_audit_records_past_retention_are_rebuilt_from_the_table_and_reported(env):
    put_event(env, "stripe", "evt_old", received_at="2024-05-01T10:00:00.500Z")
    put_event(env, "stripe", "evt_other", received_at="2024-05-02T10:00:00.500Z")
    records = _stream_records(env)
    env.client("sqs").send_message(QueueUrl=env.queue_url("audit"), MessageBody=_stream_batch_message(env, records[:1], stream_arn=records[0]["stream_arn"].replace(env.names.table, "gone-table")))
    audit = FakeAudit()
    result = replay_dead_letters(env.ctx, env.settings, queue="audit", invoker=audit)
    assert (result.succeeded, result.rebuilt) == (1, 1), result.messages
    assert result.messages[0].rebuilt and result.messages[0].event_keys == ["stripe#evt_old"]
    assert [r["dynamodb"]["Keys"]["event_key"]["S"] for r in audit.events[0]["Records"]] == ["stripe#evt_old"]


def test_failed_audit_replay_stays(env):
    put_event(env, "stripe", "evt_f")
    records = _stream_records(env)
    env.client("sqs").send_message(QueueUrl=env.queue_url("audit"), MessageBody=_stream_batch_message(env, records))
    result = replay_dead_letters(env.ctx, env.settings, queue="audit", invoker=FakeAudit(ok=False))
    assert (result.succeeded, result.failed) == (0, 1)
    assert queue_counts(env, "audit") == (1, 0)


def test_list_peek_and_purge(env):
    _fill(env, 3)
    depths = list_queues(env.ctx, env.settings).to_json()
    assert [(d["queue"], d["visible"], d["in_flight"]) for d in depths] == [("processor", 3, 0), ("audit", 0, 0)]
    looked = peek(env.ctx, env.settings, limit=2)
    assert len(looked.messages) == 2
    assert looked.messages[0].error == "processor exploded" and looked.messages[0].provider == "stripe"
    assert queue_counts(env, "processor") == (3, 0)  # peeking consumes nothing
    with pytest.raises(UsageError):
        purge(env.ctx, env.settings, yes=False)
    assert purge(env.ctx, env.settings, yes=True).purged == 3
    assert queue_counts(env, "processor") == (0, 0)


def test_rate_limiter_spaces_out_calls():
    now = [0.0]
    limiter = RateLimiter(10, burst=1, clock=lambda: now[0])
    limiter.acquire()  # the burst token
    import time as real_time

    slept = []
    original = real_time.sleep
    try:
        real_time.sleep = lambda s: (slept.append(s), now.__setitem__(0, now[0] + s))
        limiter.acquire()
    finally:
        real_time.sleep = original
    assert slept and abs(sum(slept) - 0.1) < 1e-6


def test_peeks_raise_the_receive_count_but_not_the_invokes_replay_reports(env):
    _fill(env, 1)
    for _ in range(3):
        peek(env.ctx, env.settings)
    (letter,) = replay_dead_letters(env.ctx, env.settings, dry_run=True, invoker=FakeProcessor(env)).messages
    assert letter.receive_count >= 4  # SQS counts every look
    assert letter.to_json()["invokes"] == 1 + env.settings.async_maximum_retry_attempts  # the processor's own attempts

    records = [{"shard": "shardId-1", "stream_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x", "dynamodb": {"SequenceNumber": "1"}}]
    env.client("sqs").send_message(QueueUrl=env.queue_url("audit"), MessageBody=_stream_batch_message(env, records))
    for _ in range(2):
        peek(env.ctx, env.settings, queue="audit")
    (audit,) = peek(env.ctx, env.settings, queue="audit").to_json()["messages"]
    assert audit["receive_count"] == 3 and audit["invoke_count"] == 4  # approximateInvokeCount of the on-failure record
