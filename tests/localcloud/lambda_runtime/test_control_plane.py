"""The Lambda API calls moto gets wrong: DeadLetterConfig, account settings, concurrency, DeleteFunction, chaos."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError


def queue_arn(cloud, name):
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_dead_letter_config_round_trip(local_lambda):
    _, first = queue_arn(local_lambda, "dlc-first")
    _, second = queue_arn(local_lambda, "dlc-second")
    lam = local_lambda.client("lambda")
    name = local_lambda.create_function("handler.ok", DeadLetterConfig={"TargetArn": first})
    assert lam.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": first}
    assert lam.get_function(FunctionName=name)["Configuration"]["DeadLetterConfig"] == {"TargetArn": first}
    listed = [f for f in lam.list_functions()["Functions"] if f["FunctionName"] == name]
    assert listed[0]["DeadLetterConfig"] == {"TargetArn": first}

    updated = lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": second})
    assert updated["DeadLetterConfig"] == {"TargetArn": second}
    # An update that does not mention it keeps it.
    lam.update_function_configuration(FunctionName=name, Timeout=5)
    assert lam.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": second}
    lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName=name)


def test_create_function_response_carries_dead_letter_config(local_lambda):
    _, target = queue_arn(local_lambda, "dlc-create")
    response = local_lambda.client("lambda").create_function(
        FunctionName="dlc-create-fn", Runtime="python3.11", Role="arn:aws:iam::123456789012:role/lambda-test",
        Handler="handler.ok", Code={"ZipFile": __import__("tests.localcloud.lambda_runtime.conftest", fromlist=["x"]).zip_of({"handler.py": "def ok(e, c):\n    return 1\n"})},
        DeadLetterConfig={"TargetArn": target},
    )
    assert response["DeadLetterConfig"] == {"TargetArn": target}


def test_account_settings_follow_reservations(local_lambda):
    lam = local_lambda.client("lambda")
    before = lam.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == 1000
    name = local_lambda.create_function("handler.ok")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=50)
    try:
        after = lam.get_account_settings()["AccountLimit"]
        assert before["UnreservedConcurrentExecutions"] - after["UnreservedConcurrentExecutions"] == 50
    finally:
        lam.delete_function_concurrency(FunctionName=name)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == before["UnreservedConcurrentExecutions"]


def test_reserved_concurrency_may_not_push_unreserved_below_100(local_lambda):
    lam = local_lambda.client("lambda")
    name = local_lambda.create_function("handler.ok")
    unreserved = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    with pytest.raises(ClientError) as error:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=unreserved - 99)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert error.value.response["Error"]["Message"] == (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )
    assert "Concurrency" not in lam.get_function(FunctionName=name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=unreserved - 100)
    lam.delete_function_concurrency(FunctionName=name)


def test_reserved_concurrency_throttles_sync_invokes(local_lambda):
    lam = local_lambda.client("lambda")
    name = local_lambda.create_function("handler.ok")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as error:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert error.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert error.value.response["Error"]["Message"] == "Rate Exceeded."
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    lam.delete_function_concurrency(FunctionName=name)
    assert lam.invoke(FunctionName=name, Payload=b"{}")["StatusCode"] == 200


def test_delete_function_stops_its_workers(local_lambda):
    name = local_lambda.create_function("handler.pid")
    lam = local_lambda.client("lambda")
    pid = json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
    worker = next(w for w in local_lambda.runtime.executor.workers() if w.process.pid == pid)
    lam.delete_function(FunctionName=name)
    assert worker.process.poll() is not None
    with pytest.raises(ClientError) as error:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_chaos_fails_and_slows_the_component_in_every_env(local_lambda):
    tags = {"webhookctl:app": "chaosapp", "webhookctl:env": "qa"}
    processor = local_lambda.create_function("handler.ok", name="chaosapp-processor-qa", tags=tags)
    receiver = local_lambda.create_function("handler.ok", name="chaosapp-receiver-qa", tags=tags)
    lam = local_lambda.client("lambda")
    local_lambda.runtime.set_chaos("processor", 1.0, 0)
    try:
        failed = lam.invoke(FunctionName=processor, Payload=b"{}")
        assert failed["FunctionError"] == "Unhandled"
        assert json.loads(failed["Payload"].read())["errorType"] == "ChaosInjectedError"
        assert "FunctionError" not in lam.invoke(FunctionName=receiver, Payload=b"{}")
        local_lambda.runtime.set_chaos("receiver", 0.0, 300)
        started = time.monotonic()
        assert "FunctionError" not in lam.invoke(FunctionName=receiver, Payload=b"{}")
        assert time.monotonic() - started >= 0.3
    finally:
        local_lambda.runtime.clear_chaos()
    assert "FunctionError" not in lam.invoke(FunctionName=processor, Payload=b"{}")


def test_event_invoke_config_keeps_the_latest(local_lambda):
    lam = local_lambda.client("lambda")
    name = local_lambda.create_function("handler.ok")
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=3600)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    config = lam.get_function_event_invoke_config(FunctionName=name)
    assert config["MaximumRetryAttempts"] == 1 and "MaximumEventAgeInSeconds" not in config
    lam.update_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=600)
    config = lam.get_function_event_invoke_config(FunctionName=name)
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (1, 600)


def test_invocation_finishing_after_delete_leaves_no_log_group(local_lambda):
    """`down` deletes the function, then its log group, while an invocation may still run: it must not re-create the group."""
    import threading

    from webhookctl.localcloud.moto_bridge.backends import get_backend

    lam = local_lambda.client("lambda")
    logs = local_lambda.client("logs")
    name = local_lambda.create_function("handler.sleepy", timeout=5)
    group = f"/aws/lambda/{name}"
    lam.invoke(FunctionName=name, Payload=json.dumps({"sleep": 0}).encode())  # warm, and the group exists
    running = threading.Thread(target=lambda: lam.invoke(FunctionName=name, Payload=json.dumps({"sleep": 1.5}).encode()))
    running.start()
    time.sleep(0.5)
    lam.delete_function(FunctionName=name)
    logs.delete_log_group(logGroupName=group)
    running.join(timeout=10)
    assert not running.is_alive()
    assert group not in get_backend("logs")["123456789012"]["us-east-1"].groups

