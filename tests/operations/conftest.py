"""A deployed-looking env inside moto: the resources the operations discover by name, created directly."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest

from webhookctl.config import Settings
from webhookctl.names import Names

REGION = "us-east-1"


@dataclass
class Env:
    settings: Settings
    names: Names
    ctx: Any
    secret_document: dict[str, Any]

    def client(self, service: str) -> Any:
        return self.ctx.client(service)

    def queue_url(self, queue: str) -> str:
        name = self.names.processor_dlq if queue == "processor" else self.names.audit_dlq
        return self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def create_env(ctx: Any, settings: Settings, *, api_url: str = "https://example.invalid/live") -> Env:
    """Table (with stream), both DLQs, the secret, the audit log group, the three functions and the API."""
    from webhook_signatures import material

    names = Names(settings.prefix, settings.env)
    ctx.client("dynamodb").create_table(
        TableName=names.table,
        KeySchema=[{"AttributeName": "event_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "event_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for name in (names.processor_dlq, names.audit_dlq):
        ctx.client("sqs").create_queue(QueueName=name)
    document = {"stripe": material.generate("stripe"), "github": material.generate("github")}
    ctx.client("secretsmanager").create_secret(Name=names.secret, SecretString=json.dumps(document))
    ctx.client("logs").create_log_group(logGroupName=names.audit_log_group)
    role = ctx.client("iam").create_role(
        RoleName="ops-test-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    for key in ("receiver", "processor", "audit"):
        ctx.client("lambda").create_function(
            FunctionName=names.function(key),
            Runtime="python3.11",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": _zip()},
            Environment={"Variables": {"WEBHOOK_URL_BASE": api_url + "/webhook/", "PROVIDER_SETTINGS": "{}"}},
        )
    ctx.client("apigateway").create_rest_api(name=names.rest_api)
    return Env(settings=settings, names=names, ctx=ctx, secret_document=document)


def aws_context(endpoint_url: str | None = None) -> Any:
    import boto3

    from webhookctl.aws import AwsContext

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return AwsContext(session=session, region=REGION, target="endpoint", endpoint_url=endpoint_url)


@pytest.fixture
def env(mocked: None, settings: Settings) -> Env:
    return create_env(aws_context(), settings)


def put_event(env: Env, provider: str, event_id: str, *, status: str = "RECEIVED", received_at: str = "2024-05-01T10:00:00.000Z", event_type: str = "payment_intent.succeeded", extra: dict[str, Any] | None = None) -> str:
    key = f"{provider}#{event_id}"
    item = {
        "event_key": {"S": key},
        "provider": {"S": provider},
        "event_id": {"S": event_id},
        "event_type": {"S": event_type},
        "status": {"S": status},
        "received_at": {"S": received_at},
        "attempts": {"N": "1"},
        "body": {"S": json.dumps({"id": event_id, "type": event_type})},
        "headers": {"M": {"content-type": {"S": "application/json"}}},
        **(extra or {}),
    }
    if status == "PROCESSED":
        item["processed_at"] = {"S": received_at}
    env.client("dynamodb").put_item(TableName=env.names.table, Item=item)
    return key


def send_processor_letter(env: Env, provider: str, event_id: str, event_type: str = "payment_intent.succeeded") -> str:
    key = f"{provider}#{event_id}"
    env.client("sqs").send_message(
        QueueUrl=env.queue_url("processor"),
        MessageBody=json.dumps({"event_key": key, "provider": provider, "event_id": event_id, "event_type": event_type}),
        MessageAttributes={"ErrorMessage": {"DataType": "String", "StringValue": "processor exploded"}},
    )
    return key


def queue_counts(env: Env, queue: str) -> tuple[int, int]:
    attributes = env.client("sqs").get_queue_attributes(
        QueueUrl=env.queue_url(queue), AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])
