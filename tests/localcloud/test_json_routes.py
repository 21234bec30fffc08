"""JSON-protocol calls go straight to the moto app the dispatcher would have picked."""

from __future__ import annotations

import json

import pytest

from werkzeug.test import EnvironBuilder

from webhookctl.localcloud.app import moto_app
from webhookctl.localcloud.moto_bridge.json_routes import JsonProtocolRoutes, target_of
from webhookctl.localcloud.doorbell import Doorbell
from webhookctl.localcloud.moto_bridge.moto_tuning import cache_action_method_names

AUTH = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=x"


def environ(target: str, body: dict, service: str = "dynamodb", path: str = "/") -> dict:
    return EnvironBuilder(path=path, method="POST", data=json.dumps(body).encode(), headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH.format(service=service), "Host": "127.0.0.1:4566",
    }).get_environ()


def test_target_of() -> None:
    assert target_of(environ("DynamoDB_20120810.PutItem", {})) == ("dynamodb", "PutItem")
    assert target_of(environ("Logs_20140328.PutLogEvents", {}, "logs")) == ("logs", "PutLogEvents")
    assert target_of(environ("DynamoDBStreams_20120810.GetRecords", {})) == ("dynamodbstreams", "GetRecords")
    assert target_of(environ("AmazonSQS.SendMessage", {}, "sqs")) == ("sqs", "SendMessage")
    assert target_of(environ("AmazonSSM.GetParameter", {}, "ssm")) is None  # left to the dispatcher
    assert target_of(environ("DynamoDB_20120810.PutItem", {}, path="/other")) is None


def test_same_app_as_the_dispatcher_and_a_ring_per_table_write() -> None:
    cache_action_method_names()
    dispatcher = moto_app()
    bell = Doorbell()
    routes = JsonProtocolRoutes(dispatcher, on_table_write=bell.ring)
    statuses: list[str] = []

    def call(env: dict) -> dict:
        body = b"".join(routes.serve(env, lambda status, headers, exc=None: statuses.append(status)))
        return json.loads(body)

    call(environ("DynamoDB_20120810.CreateTable", {
        "TableName": "t", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
    }))
    assert bell.rings == 0
    call(environ("DynamoDB_20120810.PutItem", {"TableName": "t", "Item": {"k": {"S": "a"}}}))
    assert bell.rings == 1
    assert call(environ("DynamoDB_20120810.GetItem", {"TableName": "t", "Key": {"k": {"S": "a"}}}))["Item"] == {"k": {"S": "a"}}
    assert bell.rings == 1
    assert statuses == ["200 OK"] * 3
    # The dispatcher resolves the same request to the very app instance used above.
    assert dispatcher.get_application(environ("DynamoDB_20120810.GetItem", {})) is dispatcher.app_instances["dynamodb"]


def test_doorbell_wait_returns_at_once_when_rung_since() -> None:
    bell = Doorbell()
    seen = bell.rings
    bell.ring()
    assert bell.wait_past(seen, timeout_s=5) == seen + 1
    assert bell.wait_past(bell.rings, timeout_s=0.01) == seen + 1


def test_direct_view_answers_as_the_flask_app_does() -> None:
    """The view called without Flask gives the status, headers and body moto's Flask app gives."""
    cache_action_method_names()
    dispatcher = moto_app()
    routes = JsonProtocolRoutes(dispatcher)

    def script(table: str) -> list[tuple[str, dict, str]]:
        return [
            ("DynamoDB_20120810.CreateTable", {"TableName": table, "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                                                "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                                                "BillingMode": "PAY_PER_REQUEST"}, "dynamodb"),
            ("DynamoDB_20120810.PutItem", {"TableName": table, "Item": {"k": {"S": "a"}}}, "dynamodb"),
            ("DynamoDB_20120810.PutItem", {"TableName": table, "Item": {"k": {"S": "a"}},
                                            "ConditionExpression": "attribute_not_exists(k)"}, "dynamodb"),
            ("DynamoDB_20120810.GetItem", {"TableName": table, "Key": {"k": {"S": "a"}}}, "dynamodb"),
            ("Logs_20140328.CreateLogGroup", {"logGroupName": table}, "logs"),
            ("Logs_20140328.PutLogEvents", {"logGroupName": table, "logStreamName": "s",
                                            "logEvents": [{"timestamp": 1, "message": "x"}]}, "logs"),
            ("AmazonSQS.CreateQueue", {"QueueName": table}, "sqs"),
            ("AmazonSQS.SendMessage", {"QueueUrl": f"http://127.0.0.1:4566/123456789012/{table}", "MessageBody": "m"}, "sqs"),
            ("AmazonSQS.ReceiveMessage", {"QueueUrl": f"http://127.0.0.1:4566/123456789012/{table}", "VisibilityTimeout": 60,
                                          "MessageSystemAttributeNames": ["ApproximateReceiveCount"]}, "sqs"),
            ("AmazonSQS.DeleteMessage", {"QueueUrl": f"http://127.0.0.1:4566/123456789012/{table}", "ReceiptHandle": "nope"}, "sqs"),
            ("AmazonSQS.GetQueueUrl", {"QueueName": f"{table}-missing"}, "sqs"),
        ]

    def answers(serve, table: str) -> list[tuple]:
        seen = []
        for target, body, service in script(table):
            started: list = []
            raw = b"".join(serve(environ(target, body, service), lambda status, headers, exc=None: started.append((status, headers))))
            status, headers = started[0]
            kept = sorted((k.lower(), v) for k, v in headers if k.lower() not in ("x-amzn-requestid", "x-amz-crc32", "content-length"))
            text = _mask_message_ids(raw.decode().replace(table, "TABLE"))
            seen.append((status, kept, "CREATED" if target.endswith("CreateTable") else text))
        return seen

    direct = answers(routes.serve, "direct-t")
    assert routes._views.keys() == {"dynamodb", "logs", "sqs"}  # the direct path was taken
    through_flask = answers(lambda env, start: dispatcher.get_application(env)(env, start), "flask-t")
    assert direct == through_flask
    assert [status for status, _, _ in direct] == ["200 OK", "200 OK", "400 BAD REQUEST", "200 OK", "200 OK", "400 BAD REQUEST",
                                                  "200 OK", "200 OK", "200 OK", "400 BAD REQUEST", "400 BAD REQUEST"]
    assert '"Body": "m"' in direct[8][2]  # the message came back through the direct path
    # An operation moto does not know: whatever moto does with it (5.2.5 raises, 5.2.6 answers 404), both paths do it.
    flask_app = lambda env, start: dispatcher.get_application(env)(env, start)  # noqa: E731
    for service, target in (("dynamodb", "DynamoDB_20120810.NoSuchOperation"), ("sqs", "AmazonSQS.NoSuchOperation"),
                            ("logs", "Logs_20140328.NoSuchOperation")):
        assert _outcome(routes.serve, environ(target, {}, service)) == _outcome(flask_app, environ(target, {}, service))
    # moto's app runs in debug mode: an unexpected error leaves both paths the same way (the server answers 500).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("moto.dynamodb.responses.DynamoHandler.get_item", _unexpected_error)
        get = environ("DynamoDB_20120810.GetItem", {"TableName": "direct-t", "Key": {"k": {"S": "a"}}})
        with pytest.raises(RuntimeError, match="unexpected") as by_flask:
            b"".join(flask_app(get, lambda *a: None))
        get = environ("DynamoDB_20120810.GetItem", {"TableName": "direct-t", "Key": {"k": {"S": "a"}}})
        with pytest.raises(RuntimeError, match="unexpected") as direct_error:
            b"".join(routes.serve(get, lambda *a: None))
    assert type(direct_error.value) is type(by_flask.value)


def _unexpected_error(self) -> None:
    raise RuntimeError("unexpected")


def _outcome(serve, env: dict) -> tuple:
    """What a path does with one request: the exception's type, or the status, headers (less the per-call ones) and body."""
    started: list = []
    try:
        raw = b"".join(serve(env, lambda status, headers, exc=None: started.append((status, headers))))
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return ("raised", type(error))
    status, headers = started[0]
    kept = sorted((k.lower(), v) for k, v in headers if k.lower() not in ("x-amzn-requestid", "x-amz-crc32", "content-length"))
    return ("answered", status, kept, raw)


def _mask_message_ids(text: str) -> str:
    """SQS answers carry fresh ids and receipt handles on every call."""
    try:
        document = json.loads(text)
    except ValueError:
        return text
    for message in document.get("Messages", []) if isinstance(document, dict) else []:
        for field in ("MessageId", "ReceiptHandle", "MD5OfBody"):
            message[field] = "X"
    if isinstance(document, dict) and "MessageId" in document:
        document["MessageId"] = "X"
    return json.dumps(document, sort_keys=True)
