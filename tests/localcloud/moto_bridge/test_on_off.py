"""SQS and Lambda answer the same with the bridge's patches on and off."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from webhookctl.localcloud.moto_bridge import moto_queue_tuning, moto_tuning
from webhookctl.localcloud.moto_bridge.stream_mappings import adopt_stream_mappings
from webhookctl.localcloud.tables.streams import find_shard

VOLATILE = {"MessageId", "ReceiptHandle", "MD5OfBody", "UUID", "LastModified", "ResponseMetadata",
            "SentTimestamp", "EventSourceMappingArn", "ApproximateFirstReceiveTimestamp", "CreatedTimestamp", "LastModifiedTimestamp"}


def stable(value):
    if isinstance(value, dict):
        return {k: stable(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    if isinstance(value, str) and "/stream/" in value:
        return value.split("/stream/")[0] + "/stream/LABEL"  # the label is the table's creation time
    return value


@pytest.fixture
def plain_moto(aws_credentials):
    moto_tuning.revert()
    yield
    moto_tuning.revert()


def sqs_story() -> list:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="story", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    answers = [sqs.send_message(QueueUrl=url, MessageBody=f"m{n}", DelaySeconds=60 if n == 4 else 0) for n in range(5)]
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60, AttributeNames=["All"])
    answers.append(first)
    for message in first["Messages"]:
        answers.append(sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]))
        answers.append(sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]))  # again: no error
    try:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    except sqs.exceptions.ClientError as exc:
        answers.append(exc.response["Error"])
    answers.append(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]))
    answers.append(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])
    return stable(answers)


def test_sqs_answers_the_same_with_every_queue_patch(plain_moto):
    with mock_aws():
        plain = sqs_story()
    moto_tuning.read_sqs_retention_directly()
    moto_tuning.serialise_sqs_deletes()
    moto_queue_tuning.read_the_clock_once_per_queue_scan()
    with mock_aws():
        patched = sqs_story()
    assert patched == plain
    assert [m["Body"] for m in plain[5]["Messages"]] and plain[-1]["ApproximateNumberOfMessagesDelayed"] == "1"


class InProcessShards:
    """What tables.remote.RemoteShards answers, read from this process's moto."""

    def stream_exists(self, account: str, region: str, arn: str) -> bool:
        return find_shard(account, region, arn) is not None


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def lambda_story() -> list:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    awslambda = boto3.client("lambda", region_name="us-east-1")
    awslambda.create_function(FunctionName="audit", Runtime="python3.11", Role=role["Role"]["Arn"],
                              Handler="handler.handler", Code={"ZipFile": _zip()})
    table = boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:q"
    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")
    answers = []
    for source, extra in ((table["LatestStreamArn"], {"StartingPosition": "TRIM_HORIZON", "BatchSize": 100}),
                          (queue_arn, {"BatchSize": 10})):
        answers.append(awslambda.create_event_source_mapping(EventSourceArn=source, FunctionName="audit", **extra))
    try:
        awslambda.create_event_source_mapping(EventSourceArn=table["LatestStreamArn"] + "x", FunctionName="audit",
                                              StartingPosition="LATEST")
    except awslambda.exceptions.ClientError as exc:
        answers.append(exc.response["Error"])
    answers.append(awslambda.list_event_source_mappings(FunctionName="audit")["EventSourceMappings"])
    return stable(answers)


def test_lambda_event_source_mappings_answer_the_same_when_adopted(plain_moto):
    with mock_aws():
        plain = lambda_story()
    adopt_stream_mappings(InProcessShards())
    with mock_aws():
        adopted = lambda_story()
    assert adopted == plain
    assert plain[2]["Code"] == "ResourceNotFoundException" and len(plain[3]) == 2
