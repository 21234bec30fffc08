"""moto_queue_tuning changes no answer: receives see the same messages with and without it."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from webhookctl.localcloud.moto_bridge import moto_queue_tuning, moto_tuning


def receive_story() -> list[list[str]]:
    """Bodies seen by successive receives on a queue with delayed, in-flight and released messages."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="tuning")["QueueUrl"]
    for n in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
    seen = []
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60)["Messages"]
    seen.append(sorted(m["Body"] for m in first))
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
    seen.append(sorted(m["Body"] for m in second))  # the rest, but not the in-flight two nor the delayed one
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=0)
    third = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    seen.append(sorted(m["Body"] for m in third))  # only the released one
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    seen.append([attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"],
                 attributes["ApproximateNumberOfMessagesDelayed"]])
    return seen


@pytest.fixture
def untuned(aws_credentials):
    moto_tuning.revert()
    yield
    moto_tuning.revert()


def test_receives_see_the_same_messages_with_one_clock_reading(untuned):
    with mock_aws():
        plain = receive_story()
    moto_queue_tuning.apply()
    with mock_aws():
        tuned = receive_story()
    assert tuned == plain
    assert plain[0] + plain[1] == [f"m{n}" for n in range(6)] and len(plain[2]) == 1


def clock_reads_of_one_scan(monkeypatch, messages: int) -> int:
    from moto.core import utils
    from moto.sqs.models import sqs_backends

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="deep")["QueueUrl"]
        for n in range(messages):
            sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
        queue = sqs_backends["123456789012"]["us-east-1"].queues["deep"]
        reads: list[int] = []
        real = utils.unix_time_millis

        def counted(*args):
            reads.append(1)
            return real(*args)

        with monkeypatch.context() as patch:
            patch.setattr("moto.core.utils.unix_time_millis", counted)
            patch.setattr("moto.sqs.models.unix_time_millis", counted)
            assert len(queue.messages) == messages
        return len(reads)


def test_a_scan_reads_the_clock_once(untuned, monkeypatch):
    assert clock_reads_of_one_scan(monkeypatch, 50) == 100  # moto's own: twice per message
    moto_queue_tuning.apply()
    assert clock_reads_of_one_scan(monkeypatch, 50) == 1
