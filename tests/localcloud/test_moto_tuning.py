"""moto_tuning changes no answer: the pipeline's calls give the same results with and without it."""

from __future__ import annotations

import json
import uuid
from typing import Callable

import pytest
from werkzeug.test import EnvironBuilder

from webhookctl.localcloud.moto_bridge import json_request_plans, json_result_plans, moto_tuning
from webhookctl.localcloud.app import moto_app
from webhookctl.localcloud.moto_bridge.json_routes import JsonProtocolRoutes

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
    return [create, *event_calls(table, "evt_1"), *event_calls(table, "evt_2"), *other_calls(table), *answer_shapes(table)]


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


def answer_shapes(table: str) -> list[tuple[str, dict]]:
    """Answers of every attribute type and consumed-capacity form, and refusals of a missing table."""
    key = {"event_key": {"S": "stripe#shapes"}}
    item = {**key, "s": {"S": "x"}, "n": {"N": "1.50"}, "b": {"B": "AAE="}, "ss": {"SS": ["a", "b"]},
            "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AAE="]}, "null": {"NULL": True}, "bool": {"BOOL": False},
            "l": {"L": [{"S": "a"}, {"M": {"deep": {"L": [{"N": "3"}]}}}, {"L": []}]},
            "m": {"M": {"": {"S": "empty name"}, "inner": {"M": {}}, "flag": {"BOOL": True}}},
            "unicode": {"S": "caf\u00e9 \u2603 \"quoted\" \\ \r\n"}}
    missing = f"{table}-missing"
    return [
        ("PutItem", {"TableName": table, "Item": item, "ReturnConsumedCapacity": "TOTAL"}),
        ("PutItem", {"TableName": table, "Item": item, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES"}),
        ("GetItem", {"TableName": table, "Key": key, "ReturnConsumedCapacity": "TOTAL"}),
        ("GetItem", {"TableName": table, "Key": {"event_key": {"S": "stripe#absent"}}}),
        ("GetItem", {"TableName": table, "Key": key, "ProjectionExpression": "#m.inner, l[1], s",
                     "ExpressionAttributeNames": {"#m": "m"}}),
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET m.added = :v REMOVE ss",
                        "ExpressionAttributeValues": {":v": {"NS": ["7"]}}, "ReturnValues": "ALL_NEW"}),
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": "SET s = :v", "ConditionExpression": "s = :other",
                        "ExpressionAttributeValues": {":v": {"S": "y"}, ":other": {"S": "z"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),  # refused, with the whole item
        ("PutItem", {"TableName": missing, "Item": key}),  # ResourceNotFoundException
        ("UpdateItem", {"TableName": missing, "Key": key, "UpdateExpression": "SET a = :v",
                        "ExpressionAttributeValues": {":v": {"S": "x"}}}),
        ("GetItem", {"TableName": missing, "Key": key}),
        ("GetItem", {"TableName": table, "Key": key, "ReturnConsumedCapacity": "SOMETIMES"}),  # ValidationException
    ]


# Headers that differ on every call, answer or not.
VARYING_HEADERS = {"x-amzn-requestid", "x-amz-id-2", "date"}


def run(routes: JsonProtocolRoutes, calls: list[tuple[str, dict]], table: str) -> list[tuple[str, object, object]]:
    """Each call's (status, parsed body, (headers, body bytes)), then the table's stream records."""
    answers: list[tuple[str, object, object]] = []
    for operation, body in calls:
        body = {name: value for name, value in body.items() if value is not None}
        started: list[tuple[str, list]] = []
        env = EnvironBuilder(path="/", method="POST", data=json.dumps(body).encode(), headers={
            "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0",
            "Authorization": AUTH, "Host": "127.0.0.1",
        }).get_environ()
        try:
            raw = b"".join(routes.serve(env, lambda status, headers, exc=None: started.append((status, headers))))
        except Exception as error:  # moto raises on some malformed calls (the server answers 500)
            answers.append(("raised", repr(error), None))
            continue
        status, headers = started[0]
        if operation == "CreateTable":  # creation times and ids differ between the two tables
            answers.append((status, None, None))
            continue
        wire = ([(name, value) for name, value in headers if name.lower() not in VARYING_HEADERS], raw)
        answers.append((status, json.loads(raw) if raw else None, wire))
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
        records.append(("record", {"eventName": record.to_json()["eventName"], **change}, None))
    return records


@pytest.fixture
def untuned():
    moto_tuning.revert()
    yield
    moto_tuning.revert()


def test_tuned_moto_answers_as_moto_does(untuned) -> None:
    routes = JsonProtocolRoutes(moto_app())
    table = f"events-{uuid.uuid4().hex[:8]}"  # one name for both rounds: answers that name it compare byte for byte
    plain = run(routes, script(table), table)
    delete_table(routes, table)
    moto_tuning.apply()
    from moto.dynamodb import responses

    assert responses.UpdateExpressionParser.make.cache_info().currsize == 0
    tuned = run(routes, script(table), table)
    assert responses.UpdateExpressionParser.make.cache_info().hits > 0
    assert len(tuned) == len(plain)
    for step, (tuned_answer, plain_answer) in enumerate(zip(tuned, plain)):
        assert tuned_answer == plain_answer, f"step {step}"  # status, headers (crc32 included) and body bytes
    # Both rounds take every path: stored, duplicate, updated, condition failed, invalid expression.
    for first in (1, 12):
        assert [status for status, *_ in plain[first:first + 11]] == ["200 OK", BAD, "200 OK", "200 OK"] + [BAD] * 6 + ["200 OK"]
        assert plain[first + 3][1]["Attributes"] == {"status": {"S": "PROCESSED"}, "processed_at": {"S": "2026-01-01T00:00:00.000Z"},
                                                     "attempts": {"N": "1"}}
        assert plain[first + 5][1]["Item"]["status"] == {"S": "PROCESSED"}  # the refusal carries the item
    assert [status for status, *_ in plain[24:29]] == [BAD, "200 OK", "200 OK", "200 OK", BAD]  # the condition's value counts
    assert [status for status, *_ in plain[45:47]] == ["200 OK", BAD]  # the item size limit
    shapes = plain[50:61]
    assert [status for status, *_ in shapes] == ["200 OK"] * 6 + [BAD] * 5
    assert shapes[0][1]["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
    assert shapes[2][1]["Item"]["m"]["M"]["S"] == "empty name"  # moto's quirk for an empty map key, kept as it is
    assert shapes[3][1] == {}  # no such item
    assert "ConditionalCheckFailedException" in shapes[6][1]["__type"] and "Item" in shapes[6][1]
    assert all("ResourceNotFoundException" in answer["__type"] for _, answer, _ in shapes[7:10])
    assert "ValidationException" in shapes[10][1]["__type"]
    assert sum(status == "record" for status, *_ in plain) >= 10
    assert any("OldImage" in record and "NewImage" in record for status, record, _ in plain if status == "record")


def delete_table(routes: JsonProtocolRoutes, table: str) -> None:
    env = EnvironBuilder(path="/", method="POST", data=json.dumps({"TableName": table}).encode(), headers={
        "X-Amz-Target": "DynamoDB_20120810.DeleteTable", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH, "Host": "127.0.0.1",
    }).get_environ()
    b"".join(routes.serve(env, lambda status, headers, exc=None: None))


def test_apply_is_idempotent_and_revert_restores_moto(untuned) -> None:
    from moto.core.parse import JSONParser
    from moto.core.serialize import JSONSerializer
    from moto.dynamodb import models, responses
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser

    def current() -> list:
        return [responses.UpdateExpressionParser, models.UpdateExpressionParser, validators.deepcopy,
                DepthFirstTraverser.traverse, ConditionExpressionParser.parse, Item.__init__,
                JSONSerializer._serialize_result, JSONParser._parse_json_body]

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


SQS_AUTH = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"


def sqs_call(app, operation: str, body: dict) -> tuple[str, dict]:
    """One SQS call in the JSON protocol (boto3's for SQS) through moto's dispatcher, as the server sends it."""
    env = EnvironBuilder(path="/", method="POST", data=json.dumps(body).encode(), headers={
        "X-Amz-Target": f"AmazonSQS.{operation}", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": SQS_AUTH, "Host": "127.0.0.1:4566",
    }).get_environ()
    started: list[str] = []
    raw = b"".join(app(env, lambda status, headers, exc=None: started.append(status)))
    return started[0], json.loads(raw) if raw else {}


def dead_letter_replay(app, queue: str) -> list[str]:
    """The dead-letter replay's SQS calls (and their refusals) on a new queue; the statuses, in order."""
    statuses = []
    status, created = sqs_call(app, "CreateQueue", {"QueueName": queue})
    url = created["QueueUrl"]
    attributes = {"kind": {"DataType": "String", "StringValue": "stripe"},
                  "raw": {"DataType": "Binary", "BinaryValue": "AAEC"},
                  "count": {"DataType": "Number", "StringValue": "3"}}
    calls = [
        ("SendMessage", {"QueueUrl": url, "MessageBody": '{"event": 1}'}),
        ("SendMessage", {"QueueUrl": url, "MessageBody": "caf\u00e9 \"2\"\r\n", "MessageAttributes": attributes,
                         "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-x"}}}),
        ("SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": "a", "MessageBody": "3"},
                                                           {"Id": "b", "MessageBody": "4", "DelaySeconds": 0}]}),
        ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageSystemAttributeNames": ["All"],
                            "MessageAttributeNames": ["All"], "VisibilityTimeout": 0}),
        ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10}),
    ]
    handles = []
    for operation, body in calls:
        status, answer = sqs_call(app, operation, body)
        statuses.append(status)
        handles += [message["ReceiptHandle"] for message in answer.get("Messages", [])]
    entries = [{"Id": str(n), "ReceiptHandle": handle} for n, handle in enumerate(handles[:3])]
    for operation, body in [
        ("DeleteMessageBatch", {"QueueUrl": url, "Entries": entries + [{"Id": "bad", "ReceiptHandle": "not-a-handle"}]}),
        ("DeleteMessageBatch", {"QueueUrl": url, "Entries": []}),  # EmptyBatchRequest
        ("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": handles[-1]}),
        ("ReceiveMessage", {"QueueUrl": url}),  # nothing left
        ("SendMessage", {"QueueUrl": url + "-missing", "MessageBody": "x"}),  # QueueDoesNotExist
        ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 11}),  # out of range
        ("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]}),
    ]:
        statuses.append(sqs_call(app, operation, body)[0])
    return statuses


class RecordedResults:
    """Every result moto serialises while recording, with what its serialiser is built from."""

    def __init__(self, monkeypatch):
        import copy

        from moto.core.responses import ActionResult

        self.results: list[tuple] = []
        execute_result = ActionResult.execute_result

        def recording(result, context):
            transformers = getattr(context.response, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None)
            value = result.result if isinstance(result.result, Exception) else copy.deepcopy(result.result)
            self.results.append((context.operation_model, context.serializer_class, transformers, value))
            return execute_result(result, context)

        monkeypatch.setattr(ActionResult, "execute_result", recording)

    def copies(self) -> list[tuple]:
        """The results afresh (an exception as it is: serialising does not change it)."""
        import copy

        return [(*built, result if isinstance(result, Exception) else copy.deepcopy(result))
                for *built, result in self.results]


def serialised(recorded: list[tuple]) -> list[dict]:
    """Each recorded result serialised as ActionResult.execute_result does it (status, headers, body)."""
    from moto.core.serialize import XFormedAttributePicker

    answers = []
    for operation_model, serializer_class, transformers, result in recorded:
        serializer = serializer_class(operation_model=operation_model,
                                      value_picker=XFormedAttributePicker(response_transformers=transformers))
        answers.append(serializer.serialize(result))
    return answers


def planned_and_moto_answers(records: Callable[[], list[tuple]]) -> tuple[list[dict], list[dict]]:
    """The answers to `records()` with the plans, then with moto's serialiser alone."""
    moto_tuning.serialise_json_results_by_plan()
    planned = serialised(records())
    moto_tuning.revert()
    return planned, serialised(records())


def test_planned_serialisation_matches_moto_on_the_pipeline_calls(untuned, monkeypatch) -> None:
    """DynamoDB and SQS results of the pipeline's calls serialise to the same bytes with and without the plans."""
    recorded = RecordedResults(monkeypatch)
    table = f"events-{uuid.uuid4().hex[:8]}"
    json_result_plans._PLANS.clear()  # plans made by earlier tests would not show that these answers made theirs
    moto_tuning.apply()
    run(JsonProtocolRoutes(moto_app()), script(table), table)
    statuses = dead_letter_replay(moto_app(), f"dlq-{uuid.uuid4().hex[:8]}")
    assert statuses == ["200 OK"] * 6 + [BAD, "200 OK", "200 OK", BAD, BAD, "200 OK"]
    operations = {operation_model.name for operation_model, *_ in recorded.results}
    assert {"PutItem", "UpdateItem", "GetItem", "SendMessage", "SendMessageBatch", "ReceiveMessage",
            "DeleteMessageBatch", "DeleteMessage"} <= operations
    assert any(isinstance(result, Exception) for *_, result in recorded.results)  # SQS's refusals are serialised too
    assert all(operation_model.output_shape in json_result_plans._PLANS for operation_model, *_, result in recorded.results
               if operation_model.output_shape is not None and not isinstance(result, Exception))

    planned, moto = planned_and_moto_answers(recorded.copies)
    for step, (planned_answer, moto_answer) in enumerate(zip(planned, moto)):
        assert planned_answer == moto_answer, f"{recorded.results[step][0].name} (step {step})"


class Colour(__import__("enum").Enum):
    RED = "red"


class Capacity:
    """A result member given as an object (moto reads its attributes, through their snake_case names too)."""

    table_name = "t"
    capacity_units = 2

    def __init__(self):
        self.read_capacity_units = 1.5


def odd_results() -> list[tuple[str, str, object]]:
    """(service, operation, result): values the plans must copy moto on, or hand to moto."""
    from datetime import datetime, timezone
    from collections import OrderedDict

    item = {
        "s": {"S": "x"}, "enum": {"S": Colour.RED}, "number": {"N": 5}, "blob": {"B": b"\x00\x01"}, "text_blob": {"B": "AAE="},
        "sets": {"SS": ("a", "b"), "NS": ["1"], "BS": [b"x"]}, "null": {"NULL": True}, "bool": {"BOOL": "true"},
        "nested": {"M": {"": {"S": "empty name"}, "none": None, "deep": {"L": [{"BOOL": False}, None, {"L": []}, "raw"]}}},
        "lower": {"s": "snake"}, "alias": {"ListAttributeValue": [{"S": "by shape name"}], "L": [{"S": "by key"}]},
        "present_none": {"S": None, "s": "shadowed"}, "two": {"S": "x", "N": "1"}, "empty": {}, "none": None,
        "ordered": OrderedDict([("S", "a dict subclass")]), "extra": {"S": "x", "unknown": 1},
        "generator_list": {"L": ({"S": str(n)} for n in range(2))},
    }
    return [
        ("dynamodb", "GetItem", {"Item": item, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1, "Table": {"CapacityUnits": True}}}),
        ("dynamodb", "GetItem", {"Item": item, "ConsumedCapacity": Capacity()}),
        ("dynamodb", "GetItem", {"Item": OrderedDict(item)}),
        ("dynamodb", "GetItem", {"item": {"a": {"S": "snake-case member"}}, "Unmodelled": 1}),
        ("dynamodb", "GetItem", {}),
        ("dynamodb", "GetItem", None),
        ("dynamodb", "UpdateItem", {"Attributes": {"a": {"N": "1"}}, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5},
                                    "ItemCollectionMetrics": {"ItemCollectionKey": {"k": {"S": "v"}}, "SizeEstimateRangeGB": [1, 2.5]}}),
        ("dynamodb", "DescribeTable", {"Table": {"TableName": "t", "CreationDateTime": datetime(2026, 1, 1, tzinfo=timezone.utc),
                                                 "ItemCount": 3.0, "TableSizeBytes": "10", "DeletionProtectionEnabled": 0,
                                                 "ProvisionedThroughput": {"ReadCapacityUnits": True, "WriteCapacityUnits": 5}}}),
        ("sqs", "ReceiveMessage", {"Messages": [
            {"MessageId": "1", "Body": "b", "Attributes": {"SenderId": "x", "SentTimestamp": 17},
             "MessageAttributes": {"raw": {"DataType": "Binary", "BinaryValue": b"\x00"},
                                   "text": {"DataType": "String", "StringValue": "v", "StringListValues": ["a"]}}},
            {"message_id": "2", "receipt_handle": "h", "MD5OfBody": None},
        ]}),
        ("sqs", "ReceiveMessage", {"MessageList": [{"MessageId": "shape name first"}], "Messages": [{"MessageId": "key"}]}),
        ("sqs", "SendMessageBatch", {"Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "d", "SequenceNumber": 12}],
                                     "Failed": [{"Id": "b", "SenderFault": True, "Code": "c", "Message": "m"},
                                                {"Id": "c", "SenderFault": "false", "Code": "c"}]}),
        ("sqs", "DeleteMessageBatch", {"Successful": [{"Id": "0"}, {"Id": "1"}], "Failed": []}),
        ("sqs", "GetQueueAttributes", {"Attributes": {"ApproximateNumberOfMessages": 3, "Policy": None}}),
    ]


def odd_recorded() -> list[tuple]:
    from moto.core.serialize import JSONSerializer
    from moto.core.utils import get_service_model

    return [(get_service_model(service).operation_model(operation), JSONSerializer, {}, result)
            for service, operation, result in odd_results()]


def test_planned_serialisation_matches_moto_on_odd_values(untuned) -> None:
    """Values of other types, alias keys, None members, objects and dict subclasses: the same bytes as moto's."""
    planned, moto = planned_and_moto_answers(odd_recorded)
    for step, (planned_answer, moto_answer) in enumerate(zip(planned, moto)):
        assert planned_answer == moto_answer, f"{odd_results()[step][:2]} (step {step})"
    assert json_result_plans._PLANS  # the plans were used


def test_the_comparison_catches_a_plan_that_changes_an_answer(untuned, monkeypatch) -> None:
    """A plan that converts a boolean moto leaves alone, or reorders members, fails the comparison above."""
    planned, moto = planned_and_moto_answers(odd_recorded)
    assert planned == moto

    def as_bool(self, serializer, serialized, value, key) -> None:
        serialized[key] = bool(value)

    monkeypatch.setattr(json_result_plans._AsItIs, "__call__", as_bool)
    planned, moto = planned_and_moto_answers(odd_recorded)
    assert planned != moto  # "false" became true

    monkeypatch.undo()
    monkeypatch.setattr(json_result_plans, "sorted", lambda positions: sorted(positions, reverse=True), raising=False)
    planned, moto = planned_and_moto_answers(odd_recorded)
    assert planned != moto
    bodies = [json.loads(answer["body"]) for answer in planned]
    assert bodies == [json.loads(answer["body"]) for answer in moto]  # the same data, in other bytes


def odd_requests() -> list[tuple[str, str, object]]:
    """(service, operation, JSON body): the pipeline's requests, and values the reading plans must hand to moto."""
    item = {"event_key": {"S": "k"}, "n": {"N": "1"}, "b": {"B": "AAE="}, "l": {"L": [{"S": "a"}, None, {"M": {}}]},
            "m": {"M": {"": {"S": "x"}, "inner": {"BOOL": True}, "none": None}}, "null": {"NULL": True},
            "two": {"S": "x", "N": "1"}, "unknown": {"X": 1}, "empty": {}}
    return [
        ("dynamodb", "PutItem", {"TableName": "t", "Item": item, "ConditionExpression": "attribute_not_exists(event_key)",
                                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD", "Unmodelled": [1]}),
        ("dynamodb", "UpdateItem", {"TableName": "t", "Key": {"event_key": {"S": "k"}}, "UpdateExpression": "SET a = :v",
                                    "ExpressionAttributeNames": {"#a": "a"}, "ExpressionAttributeValues": {":v": {"N": "1"}},
                                    "ReturnValues": "UPDATED_NEW", "Expected": {"a": {"Exists": "false", "Value": {"S": "x"}}}}),
        ("dynamodb", "GetItem", {"TableName": "t", "Key": {"event_key": {"S": "k"}}, "ConsistentRead": 1, "AttributesToGet": ["a", 2]}),
        ("dynamodb", "Query", {"TableName": "t", "Limit": 10.0, "ExclusiveStartKey": None, "KeyConditions": [],
                               "QueryFilter": "not a map", "ScanIndexForward": "false"}),
        ("dynamodb", "BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": item}}, {"DeleteRequest": {"Key": item}}]}}),
        ("dynamodb", "PutItem", []),
        ("dynamodb", "PutItem", "a string"),
        ("dynamodb", "PutItem", None),
        ("sqs", "SendMessage", {"QueueUrl": "u", "MessageBody": "b", "DelaySeconds": True,
                                "MessageAttributes": {"raw": {"DataType": "Binary", "BinaryValue": "AAE="},
                                                      "list": {"DataType": "String", "StringListValues": ["a"]}}}),
        ("sqs", "ReceiveMessage", {"QueueUrl": "u", "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1.5,
                                   "MessageSystemAttributeNames": ["All"], "MessageAttributeNames": "All"}),
        ("sqs", "DeleteMessageBatch", {"QueueUrl": "u", "Entries": [{"Id": "1", "ReceiptHandle": "h"}, None, {}]}),
        ("sqs", "SendMessageBatch", {"QueueUrl": "u", "Entries": {"Id": "not a list"}}),
    ]


def parsed_both_ways(service: str, operation: str, body: object) -> tuple[str, str]:
    """repr of the parse with the reading plans, then of moto's own (repr tells 1 from 1.0 and True, and keeps order)."""
    from moto.core.parse import JSONParser
    from moto.core.utils import get_service_model

    operation_model = get_service_model(service).operation_model(operation)

    def parse() -> str:
        request = {"method": "POST", "values": {}, "headers": {}, "body": json.dumps(body).encode(), "url_path": "/", "url_params": {}}
        try:
            return repr(JSONParser(operation_model, map_type=dict).parse(request))
        except Exception as error:
            return f"raised {error!r}"

    moto_tuning.parse_json_requests_by_plan()
    planned = parse()
    moto_tuning.revert()
    return planned, parse()


def test_planned_parsing_matches_moto(untuned) -> None:
    for service, operation, body in odd_requests():
        planned, moto = parsed_both_ways(service, operation, body)
        assert planned == moto, (service, operation)
    assert json_request_plans._READING_PLANS  # the plans were used


def test_the_parse_comparison_catches_a_plan_that_changes_a_request(untuned, monkeypatch) -> None:
    monkeypatch.setattr(json_request_plans._Number, "__call__", lambda self, parser, value: value)
    assert any(planned != moto for planned, moto in (parsed_both_ways(*request) for request in odd_requests()))
