"""Synchronous Invoke: results, error shapes, layers, environment, timeouts, crashes."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError


def invoke(cloud, name, payload=None, **kwargs):
    response = cloud.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    response["Body"] = json.loads(response["Payload"].read() or b"null")
    return response


def test_result_uses_the_uploaded_code_and_layer(local_lambda):
    name = local_lambda.create_function("handler.ok")
    response = invoke(local_lambda, name, {"n": 1})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["Body"]["echo"] == {"n": 1}
    assert response["Body"]["layer"] == "from-layer"


def test_handler_error_has_aws_shape(local_lambda):
    name = local_lambda.create_function("handler.boom")
    response = invoke(local_lambda, name, {"x": 1})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    body = response["Body"]
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == 'it broke: {"x": 1}'
    assert isinstance(body["stackTrace"], list) and body["stackTrace"]


def test_module_missing_from_layer_is_import_module_error(local_lambda):
    pytest.importorskip("aws_xray_sdk")  # installed on the host, absent from the layer
    name = local_lambda.create_function("xray_handler.handler", files={"xray_handler.py": "import aws_xray_sdk\n\ndef handler(e, c):\n    return 1\n"})
    response = invoke(local_lambda, name)
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Runtime.ImportModuleError"
    assert response["Body"]["errorMessage"] == "Unable to import module 'xray_handler': No module named 'aws_xray_sdk'"
    assert any("Runtime.ImportModuleError" in line for line in local_lambda.log_messages(name))


def test_import_path_holds_only_stdlib_layer_code_and_runtime_sdk(local_lambda):
    name = local_lambda.create_function("handler.has_module")
    for module, present in (("pytest", False), ("moto", False), ("webhookctl", False), ("werkzeug", False),
                            ("helper_lib", True), ("json", True), ("boto3", True)):
        assert invoke(local_lambda, name, {"module": module})["Body"] is present, module


def test_environment(local_lambda):
    name = local_lambda.create_function("handler.env", env={"EVENTS_TABLE": "events-dev"}, timeout=7)
    body = invoke(local_lambda, name)["Body"]
    environ = body["environ"]
    assert environ["EVENTS_TABLE"] == "events-dev"
    assert environ["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert environ["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert environ["AWS_REGION"] == environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert environ["_HANDLER"] == "handler.env"
    assert environ["AWS_ENDPOINT_URL"] == local_lambda.endpoint
    assert environ["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert environ["LAMBDA_TASK_ROOT"] == body["path"][0]
    assert environ["AWS_ACCESS_KEY_ID"] and environ["AWS_SECRET_ACCESS_KEY"]
    assert 6000 < body["remaining"] <= 7000
    assert not any("site-packages" in entry and "lambda-code" not in entry for entry in body["path"])
    assert not any(entry.endswith("lambda_runtime") for entry in body["path"])


def test_handler_sdk_calls_reach_the_local_endpoint(local_lambda):
    name = local_lambda.create_function("handler.sdk", timeout=20)
    response = invoke(local_lambda, name, {"queue": "from-handler"})
    assert "FunctionError" not in response, response["Body"]
    messages = local_lambda.client("sqs").receive_message(QueueUrl=response["Body"])["Messages"]
    assert messages[0]["Body"] == "from the handler"


def test_trace_header_is_passed_per_invocation(local_lambda):
    name = local_lambda.create_function("handler.env")
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    runtime_result = local_lambda.runtime.invoke(name, b"{}", region="us-east-1", account="123456789012", trace_header=trace)
    assert json.loads(runtime_result.payload)["environ"]["_X_AMZN_TRACE_ID"] == trace


def test_warm_worker_is_reused(local_lambda):
    name = local_lambda.create_function("handler.pid")
    pids = {invoke(local_lambda, name)["Body"] for _ in range(5)}
    assert len(pids) == 1


def test_config_change_gets_a_new_worker(local_lambda):
    name = local_lambda.create_function("handler.env", env={"A": "1"})
    assert invoke(local_lambda, name)["Body"]["environ"]["A"] == "1"
    local_lambda.client("lambda").update_function_configuration(FunctionName=name, Environment={"Variables": {"A": "2"}})
    assert invoke(local_lambda, name)["Body"]["environ"]["A"] == "2"


def test_timeout_kills_and_replaces_the_worker(local_lambda):
    name = local_lambda.create_function("handler.sleepy", timeout=1)
    response = invoke(local_lambda, name, {"sleep": 5})
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Sandbox.Timedout"
    assert response["Body"]["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert invoke(local_lambda, name, {"sleep": 0})["Body"] == {"slept": True}
    assert any("Task timed out after 1.00 seconds" in line for line in local_lambda.log_messages(name))


def test_worker_killed_mid_invocation_is_exit_error_then_replaced(local_lambda):
    name = local_lambda.create_function("handler.crash")
    response = invoke(local_lambda, name)
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Runtime.ExitError"
    assert "signal: killed" in response["Body"]["errorMessage"]
    local_lambda.client("lambda").update_function_configuration(FunctionName=name, Handler="handler.pid")
    assert isinstance(invoke(local_lambda, name)["Body"], int)


def test_logs_start_end_report_and_output(local_lambda):
    name = local_lambda.create_function("handler.ok")
    response = invoke(local_lambda, name, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    request_id = response["Body"]["request_id"]
    assert f"START RequestId: {request_id} Version: $LATEST" in tail
    assert f"END RequestId: {request_id}" in tail
    assert f"REPORT RequestId: {request_id}\tDuration: " in tail
    assert f"hello from {name}" in tail

    logs = local_lambda.client("logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 1
    assert __import__("re").fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])
    messages = [e["message"] for e in logs.get_log_events(logGroupName=f"/aws/lambda/{name}", logStreamName=streams[0]["logStreamName"])["events"]]
    assert messages[-3].startswith(f"hello from {name}")
    assert messages[-2] == f"END RequestId: {request_id}"
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}")


def test_no_tail_without_log_type(local_lambda):
    name = local_lambda.create_function("handler.ok")
    assert "LogResult" not in invoke(local_lambda, name)


def test_dry_run_and_unknown_function(local_lambda):
    name = local_lambda.create_function("handler.ok")
    response = local_lambda.client("lambda").invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    with pytest.raises(ClientError) as error:
        local_lambda.client("lambda").invoke(FunctionName="does-not-exist", Payload=b"{}")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:does-not-exist" in str(error.value)


def test_invoke_by_arn(local_lambda):
    name = local_lambda.create_function("handler.ok")
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert invoke(local_lambda, arn, {"a": 1})["Body"]["echo"] == {"a": 1}


def test_payload_that_is_not_json_is_refused(local_lambda):
    name = local_lambda.create_function("handler.ok")
    with pytest.raises(ClientError) as error:
        local_lambda.client("lambda").invoke(FunctionName=name, Payload=b"{not json")
    assert error.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_published_version_and_alias_qualifiers(local_lambda):
    lam = local_lambda.client("lambda")
    name = local_lambda.create_function("handler.env", env={"V": "one"})
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"V": "two"}})
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    pinned = invoke(local_lambda, name, Qualifier=version)
    assert pinned["ExecutedVersion"] == version
    assert pinned["Body"]["environ"]["V"] == "one"
    assert pinned["Body"]["environ"]["AWS_LAMBDA_FUNCTION_VERSION"] == version
    assert invoke(local_lambda, name, Qualifier="live")["ExecutedVersion"] == version
    assert invoke(local_lambda, name)["Body"]["environ"]["V"] == "two"
