"""moto_tuning changes no answer: the pipeline's calls give the same results with and without it."""

from __future__ import annotations

import json
import uuid

import pytest
from werkzeug.test import EnvironBuilder

from webhookctl.localcloud import moto_tuning
from webhookctl.localcloud.app import moto_app
from webhookctl.localcloud.json_routes import JsonProtocolRoutes

BAD = "400 BAD REQUEST"
AUTH = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x"
PROCESS = {  # the processor's conditional update (handlers/payment_processor/process_event.py)
    "UpdateExpression": "SET #status = :processed, processed_at = :now ADD attempts :one",
    "ConditionExpression": "#status = :received",
    "ExpressionAttributeNames": {"#status": "status"},
    "ExpressionAttributeValues": {":processed": {"S": "PROCESSED"}, ":now": {"S": "2026-01-01T00:00:00.000Z"},
                                  ":one": {"N": "1"}, ":received": {"S": "RECEIVED"}},
    "ReturnValues": "UPDATED_NEW",
}
HANDOFF_FAILED = {  # the receiver's mark (handlers/webhook_receiver/event_store.py)
    "UpdateExpression": "SET handoff_failed_at = :at",
    "ConditionExpression": "#status = :received",
    "ExpressionAttributeNames": {"#status": "status"},
    "ExpressionAttributeValues": {":at": {"S": "2026-01-01T00:00:00.000Z"}, ":received": {"S": "RECEIVED"}},
}


def script(table: str) -> list[tuple[str, dict]]:
    """The pipeline's writes on two events (the second round meets cached expressions), and malformed variants."""
    create = ("CreateTable", {"TableName": table, "KeySchema": [{"AttributeName": "event_key", "KeyType": "HASH"}],
                              "AttributeDefinitions": [{"AttributeName": "event_key", "AttributeType": "S"}],
                              "BillingMode": "PAY_PER_REQUEST"})
    return [create, *event_calls(table, "evt_1"), *event_calls(table, "evt_2")]


def event_calls(table: str, event_id: str) -> list[tuple[str, dict]]:
    key = {"event_key": {"S": f"stripe#{event_id}"}}
    item = {**key, "status": {"S": "RECEIVED"}, "attempts": {"N": "0"}, "body": {"S": "{}"}}
    return [
        ("PutItem", {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(event_key)"}),
        ("PutItem", {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(event_key)"}),
        ("UpdateItem", {"TableName": table, "Key": key, **HANDOFF_FAILED}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS}),  # already PROCESSED: the condition fails
        ("UpdateItem", {"TableName": table, "Key": {"event_key": {"S": f"stripe#{event_id}-new"}}, **PROCESS}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "UpdateExpression": "SET #status = = :processed"}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "UpdateExpression": "SET processed_at = :now"}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "ExpressionAttributeNames": {"#status": "status", "#unused": "x"}}),
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}),
    ]


def run(routes: JsonProtocolRoutes, calls: list[tuple[str, dict]], table: str) -> list[tuple[str, object]]:
    answers = []
    for operation, body in calls:
        statuses: list[str] = []
        env = EnvironBuilder(path="/", method="POST", data=json.dumps(body).encode(), headers={
            "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0",
            "Authorization": AUTH, "Host": "127.0.0.1",
        }).get_environ()
        raw = b"".join(routes.serve(env, lambda status, headers, exc=None: statuses.append(status)))
        answer = json.loads(raw.decode().replace(table, "TABLE")) if raw else None
        if operation == "CreateTable":
            answer = statuses[0]  # creation times and ids differ between the two tables
        answers.append((statuses[0], answer))
    return answers


@pytest.fixture
def unpatched_parser():
    from moto.dynamodb import responses

    original = responses.UpdateExpressionParser
    original = getattr(original, "parser", original)
    responses.UpdateExpressionParser = original
    yield original
    responses.UpdateExpressionParser = original


def test_shared_update_expressions_answer_as_moto_does(unpatched_parser) -> None:
    moto_tuning.cache_action_method_names()
    routes = JsonProtocolRoutes(moto_app())
    plain_table, tuned_table = f"plain-{uuid.uuid4().hex[:8]}", f"tuned-{uuid.uuid4().hex[:8]}"
    plain = run(routes, script(plain_table), plain_table)
    moto_tuning.share_parsed_update_expressions()
    from moto.dynamodb import responses

    assert responses.UpdateExpressionParser.make.cache_info().currsize == 0
    tuned = run(routes, script(tuned_table), tuned_table)
    assert responses.UpdateExpressionParser.make.cache_info().hits > 0
    assert tuned == plain
    # Both rounds take every path: stored, duplicate, updated, condition failed, invalid expression.
    for first in (1, 11):
        assert [status for status, _ in plain[first:first + 10]] == ["200 OK", BAD, "200 OK", "200 OK"] + [BAD] * 5 + ["200 OK"]
        assert plain[first + 3][1]["Attributes"] == {"status": {"S": "PROCESSED"}, "processed_at": {"S": "2026-01-01T00:00:00.000Z"},
                                                     "attempts": {"N": "1"}}


def test_share_parsed_update_expressions_is_idempotent(unpatched_parser) -> None:
    from moto.dynamodb import responses

    moto_tuning.share_parsed_update_expressions()
    first = responses.UpdateExpressionParser
    moto_tuning.share_parsed_update_expressions()
    assert responses.UpdateExpressionParser is first
    assert first.parser is unpatched_parser


def test_sqs_retention_check_keeps_moto_semantics_without_counting_the_queue(monkeypatch):
    """Messages past MessageRetentionPeriod are dropped, younger ones kept; no full attribute build."""
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import Queue, sqs_backends

    moto_tuning.read_sqs_retention_directly()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="tuned", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="young")
        sqs.send_message(QueueUrl=url, MessageBody="old")
        queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].queues["tuned"]
        old = next(m for m in queue._messages if m.body == "old")
        old.sent_timestamp -= 61_000  # sent 61 s ago, past the 60 s retention

        built = []
        original = Queue.attributes
        monkeypatch.setattr(Queue, "attributes", property(lambda q: built.append(1) or original.fget(q)))
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        assert [m["Body"] for m in received] == ["young"]
        assert built == []  # the check read the setting, not every attribute


def test_a_send_waits_while_a_delete_rebuilds_the_message_list():
    """moto's delete rebuilds the message list; a send must not land mid-rebuild, where it could be undone."""
    import threading

    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import Message, sqs_backends

    moto_tuning.serialise_sqs_deletes()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="raced")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="doomed")
        handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].queues["raced"]
        doomed = queue._messages[0]
        arrival = Message("arrival", "sent while the delete runs")
        sender = threading.Thread(target=queue.add_message, args=(arrival,))
        checks = []
        sent_mid_rebuild = []

        def had_receipt_handle(receipt_handle: str) -> bool:
            checks.append(receipt_handle)
            if len(checks) == 2:  # the rebuild loop has begun: another request's send arrives now
                sender.start()
                sender.join(timeout=0.3)
                sent_mid_rebuild.append(not sender.is_alive())
            return receipt_handle in doomed.all_receipt_handles

        doomed.had_receipt_handle = had_receipt_handle
        queue.delete_message(handle)
        sender.join()
        assert sent_mid_rebuild == [False]  # the send waited for the delete to finish
        assert [message.body for message in queue._messages] == ["sent while the delete runs"]
