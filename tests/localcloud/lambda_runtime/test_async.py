"""Event invocations: queued, retried per the event invoke config, then the dead-letter queue."""

from __future__ import annotations

import json
import time


def wait_for(condition, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def make_queue(cloud, name):
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def receive_all(cloud, url):
    return cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])


def starts(cloud, name):
    return [line for line in cloud.log_messages(name) if line.startswith("START RequestId:")]


def test_event_invoke_is_queued_and_runs(local_lambda):
    name = local_lambda.create_function("handler.ok")
    response = local_lambda.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b'{"a": 1}')
    assert response["StatusCode"] == 202
    wait_for(lambda: any(line.startswith(f"hello from {name}") for line in local_lambda.log_messages(name)))


def test_failed_event_is_retried_twice_then_dead_lettered(local_lambda):
    url, arn = make_queue(local_lambda, "async-dlq")
    name = local_lambda.create_function("handler.boom", DeadLetterConfig={"TargetArn": arn})
    payload = json.dumps({"event_key": "stripe#evt_1"})
    local_lambda.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=payload)
    messages = wait_for(lambda: receive_all(local_lambda, url))
    assert len(messages) == 1
    message = messages[0]
    assert message["Body"] == payload
    attributes = message["MessageAttributes"]
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == f"it broke: {payload}"
    request_id = attributes["RequestID"]["StringValue"]
    assert len(starts(local_lambda, name)) == 3  # the first attempt and two retries
    assert all(request_id in line for line in starts(local_lambda, name))


def test_maximum_retry_attempts_from_event_invoke_config(local_lambda):
    url, arn = make_queue(local_lambda, "async-dlq-zero")
    name = local_lambda.create_function("handler.boom", DeadLetterConfig={"TargetArn": arn})
    local_lambda.client("lambda").put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    local_lambda.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    wait_for(lambda: receive_all(local_lambda, url))
    assert len(starts(local_lambda, name)) == 1


def test_crashed_worker_is_retried_for_async(local_lambda):
    url, arn = make_queue(local_lambda, "async-dlq-crash")
    name = local_lambda.create_function("handler.crash", DeadLetterConfig={"TargetArn": arn})
    local_lambda.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    message = wait_for(lambda: receive_all(local_lambda, url))[0]
    assert "Runtime exited with error: signal: killed" in message["MessageAttributes"]["ErrorMessage"]["StringValue"]
    assert len(starts(local_lambda, name)) == 3


def test_throttled_async_invokes_wait_instead_of_failing(local_lambda):
    lam = local_lambda.client("lambda")
    name = local_lambda.create_function("handler.ok")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    time.sleep(0.3)
    assert starts(local_lambda, name) == []
    lam.delete_function_concurrency(FunctionName=name)
    wait_for(lambda: starts(local_lambda, name))


def test_on_failure_destination_gets_the_invocation_record(local_lambda):
    url, arn = make_queue(local_lambda, "async-on-failure")
    name = local_lambda.create_function("handler.boom")
    local_lambda.client("lambda").put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": arn}})
    local_lambda.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b'{"k": 1}')
    record = json.loads(wait_for(lambda: receive_all(local_lambda, url))[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"k": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "ValueError"
