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
                              "BillingMode": "PAY_PER_REQUEST",
                              "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    return [create, *event_calls(table, "evt_1"), *event_calls(table, "evt_2"), *other_calls(table)]


def event_calls(table: str, event_id: str) -> list[tuple[str, dict]]:
    key = {"event_key": {"S": f"stripe#{event_id}"}}
    item = {**key, "status": {"S": "RECEIVED"}, "attempts": {"N": "0"}, "body": {"S": "{}"},
            "headers": {"M": {"content-type": {"S": "application/json"}}}}
    put = {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(event_key)"}
    return [
        ("PutItem", put),
        ("PutItem", {**put, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),  # the duplicate: refused
        ("UpdateItem", {"TableName": table, "Key": key, **HANDOFF_FAILED}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS}),  # already PROCESSED: the condition fails
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ("UpdateItem", {"TableName": table, "Key": {"event_key": {"S": f"stripe#{event_id}-new"}}, **PROCESS}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "UpdateExpression": "SET #status = = :processed"}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "UpdateExpression": "SET processed_at = :now"}),
        ("UpdateItem", {"TableName": table, "Key": key, **PROCESS, "ExpressionAttributeNames": {"#status": "status", "#unused": "x"}}),
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}),
    ]


def other_calls(table: str) -> list[tuple[str, dict]]:
    """Variants the pipeline does not send: each cache key part, each ReturnValues, each kind of refusal."""
    key = {"event_key": {"S": "stripe#other"}}
    put = {"TableName": table, "Item": {**key, "status": {"S": "RECEIVED"}, "attempts": {"N": "0"},
                                        "tags": {"L": [{"S": "a"}]}, "meta": {"M": {"n": {"N": "1"}}}}}
    expect = {"ConditionExpression": "#status = :expected", "ExpressionAttributeNames": {"#status": "status"}}
    update = {"TableName": table, "Key": key, "UpdateExpression": "SET processed_at = :now", **expect}
    now = {":now": {"S": "2026-01-01T00:00:00.000Z"}}
    calls = [("PutItem", put)]
    for expected in ("PROCESSED", "RECEIVED", "RECEIVED"):  # the same condition, with another value
        calls.append(("UpdateItem", {**update, "ExpressionAttributeValues": {**now, ":expected": {"S": expected}}}))
    calls += [
        ("UpdateItem", {**update, "ExpressionAttributeNames": {"#status": "attempts"},
                        "ExpressionAttributeValues": {**now, ":expected": {"N": "0"}}}),
        ("UpdateItem", {**update, "ExpressionAttributeNames": {"#status": "attempts"},
                        "ExpressionAttributeValues": {**now, ":expected": {"S": "0"}}}),
        ("UpdateItem", {**update, "ExpressionAttributeValues": now}),  # :expected missing
        ("UpdateItem", {**update, "ExpressionAttributeNames": {"#other": "status"},
                        "ExpressionAttributeValues": {**now, ":expected": {"S": "RECEIVED"}}}),  # #status missing
        ("UpdateItem", {**update, "ConditionExpression": "status = :expected",  # a reserved word
                        "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {**now, ":expected": {"S": "RECEIVED"}}}),
        ("UpdateItem", {**update, "ConditionExpression": "#status = :expected AND",
                        "ExpressionAttributeValues": {**now, ":expected": {"S": "RECEIVED"}}}),
        ("UpdateItem", {**update, "ConditionExpression": "tags = :expected", "ExpressionAttributeNames": None,
                        "ExpressionAttributeValues": {**now, ":expected": {"L": [{"S": "a"}]}}}),  # not a scalar
        ("UpdateItem", {**update, "ConditionExpression": "meta.n = :expected", "ExpressionAttributeNames": None,
                        "ExpressionAttributeValues": {**now, ":expected": {"N": "1"}}}),
    ]
    for return_values in ("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "WRONG"):
        calls.append(("UpdateItem", {
            "TableName": table, "Key": key, "ReturnValues": return_values,
            "UpdateExpression": "SET tags = list_append(tags, :more), meta.m = :more ADD attempts :one REMOVE body",
            "ExpressionAttributeValues": {":more": {"L": [{"S": "b"}]}, ":one": {"N": "1"}},
        }))
    calls += [
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET attempts = attempts + :one",
                        "ExpressionAttributeValues": {":one": {"S": "x"}}}),  # a type mismatch
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET event_key = :one",
                        "ExpressionAttributeValues": {":one": {"S": "x"}}}),  # the key cannot change
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET missing.deep = :one",
                        "ExpressionAttributeValues": {":one": {"S": "x"}}}),
        ("UpdateItem", {"TableName": table, "Key": {"event_key": {"S": "stripe#created"}},
                        "UpdateExpression": "SET a = :one, b = if_not_exists(b, :one)",
                        "ExpressionAttributeValues": {":one": {"S": "x"}}, "ReturnValues": "ALL_NEW"}),
        *[("PutItem", {"TableName": table, "Item": {"event_key": {"S": "stripe#big"}, "body": {"S": "x" * size}}})
          for size in (404_977, 404_978)],  # the item size limit: just fits, one byte over
        ("PutItem", {**put, "ConditionExpression": "attribute_not_exists(event_key)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ("PutItem", {**put, "ConditionExpression": "attribute_exists(event_key)", "ReturnValues": "ALL_OLD"}),
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}),
    ]
    return calls


def run(routes: JsonProtocolRoutes, calls: list[tuple[str, dict]], table: str) -> list[tuple[str, object]]:
    answers = []
    for operation, body in calls:
        body = {name: value for name, value in body.items() if value is not None}
        statuses: list[str] = []
        env = EnvironBuilder(path="/", method="POST", data=json.dumps(body).encode(), headers={
            "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0",
            "Authorization": AUTH, "Host": "127.0.0.1",
        }).get_environ()
        try:
            raw = b"".join(routes.serve(env, lambda status, headers, exc=None: statuses.append(status)))
        except Exception as error:  # moto raises on some malformed calls (the server answers 500)
            answers.append(("raised", repr(error)))
            continue
        answer = json.loads(raw.decode().replace(table, "TABLE")) if raw else None
        if operation == "CreateTable":
            answer = statuses[0]  # creation times and ids differ between the two tables
        answers.append((statuses[0], answer))
    return answers + stream_records(table)


def stream_records(table: str) -> list[tuple[str, object]]:
    """The table's stream records, without what differs between two tables (ids, times)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import dynamo_json_dump

    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(table).stream_shard
    records = []
    for record in shard.items:
        change = {**record.to_json()["dynamodb"]}
        created = change.pop("ApproximateCreationDateTime")
        change["SizeBytes"] -= len(dynamo_json_dump(created))  # the size counts the time's digits
        records.append(("record", {"eventName": record.to_json()["eventName"], **change}))
    return records


@pytest.fixture
def untuned():
    moto_tuning.revert()
    yield
    moto_tuning.revert()


def test_tuned_moto_answers_as_moto_does(untuned) -> None:
    routes = JsonProtocolRoutes(moto_app())
    plain_table, tuned_table = f"plain-{uuid.uuid4().hex[:8]}", f"tuned-{uuid.uuid4().hex[:8]}"
    plain = run(routes, script(plain_table), plain_table)
    moto_tuning.apply()
    from moto.dynamodb import responses

    assert responses.UpdateExpressionParser.make.cache_info().currsize == 0
    tuned = run(routes, script(tuned_table), tuned_table)
    assert responses.UpdateExpressionParser.make.cache_info().hits > 0
    assert len(tuned) == len(plain)
    for step, (tuned_answer, plain_answer) in enumerate(zip(tuned, plain)):
        assert tuned_answer == plain_answer, f"step {step}"
    # Both rounds take every path: stored, duplicate, updated, condition failed, invalid expression.
    for first in (1, 12):
        assert [status for status, _ in plain[first:first + 11]] == ["200 OK", BAD, "200 OK", "200 OK"] + [BAD] * 6 + ["200 OK"]
        assert plain[first + 3][1]["Attributes"] == {"status": {"S": "PROCESSED"}, "processed_at": {"S": "2026-01-01T00:00:00.000Z"},
                                                     "attempts": {"N": "1"}}
        assert plain[first + 5][1]["Item"]["status"] == {"S": "PROCESSED"}  # the refusal carries the item
    assert [status for status, _ in plain[24:29]] == [BAD, "200 OK", "200 OK", "200 OK", BAD]  # the condition's value counts
    assert [status for status, _ in plain[45:47]] == ["200 OK", BAD]  # the item size limit
    assert sum(status == "record" for status, _ in plain) >= 10
    assert any("OldImage" in record and "NewImage" in record for status, record in plain if status == "record")


def test_apply_is_idempotent_and_revert_restores_moto(untuned) -> None:
    from moto.dynamodb import models, responses
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser

    def current() -> list:
        return [responses.UpdateExpressionParser, models.UpdateExpressionParser, validators.deepcopy,
                DepthFirstTraverser.traverse, ConditionExpressionParser.parse, Item.__init__]

    moto_own = current()
    moto_tuning.apply()
    tuned = current()
    assert all(t is not m for t, m in zip(tuned, moto_own))
    assert responses.UpdateExpressionParser is models.UpdateExpressionParser  # one cache for both readers
    moto_tuning.apply()
    assert current() == tuned
    moto_tuning.revert()
    assert current() == moto_own


def tree_shape(node, parent=None) -> object:
    """A Node tree as plain data: classes, attributes, and whether each parent link points to the enclosing node."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, list):
        return [tree_shape(child, parent) for child in node]
    if not isinstance(node, Node):
        return (type(node).__name__, repr(node))
    attributes = {name: tree_shape(value, node) for name, value in vars(node).items() if name != "parent"}
    return type(node).__name__, node.parent is parent, sorted(vars(node)), attributes


def test_copy_tree_copies_as_deepcopy_does() -> None:
    import copy

    from moto.dynamodb.models import DynamoType
    from moto.dynamodb.parsing.ast_nodes import DDBTypedValue
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    tree = UpdateExpressionParser.make(
        "SET #a = :v, b.c[2] = list_append(b, :w), d = if_not_exists(d, :v) + :n REMOVE e[1], e[3] ADD f :n DELETE g :s"
    )
    tree.children.append(DDBTypedValue(DynamoType({"M": {"x": {"L": [{"S": "y"}]}}})))  # goes to copy.deepcopy
    copied = moto_tuning.copy_tree(tree)
    assert tree_shape(copied) == tree_shape(copy.deepcopy(tree)) == tree_shape(tree)
    originals = {id(node) for node in walk(tree)}
    assert not any(id(node) in originals for node in walk(copied))  # nothing shared but strings and numbers
    assert copied.children[-1].children[0] == tree.children[-1].children[0]


def walk(node) -> list:
    from moto.dynamodb.models import DynamoType
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, DynamoType):
        return [node]
    if not isinstance(node, Node):
        return []
    return [node] + [found for child in node.children or [] for found in walk(child)]


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
