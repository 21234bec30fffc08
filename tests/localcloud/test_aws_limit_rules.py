"""The local cloud refuses what AWS refuses and moto accepts, with AWS's error code and text (real HTTP, real boto3).

Limits, from AWS's quota pages:
- Lambda quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
  (4 KB environment, 50 MB zipped direct upload, 250 MB unzipped with layers, 5 layers)
- IAM and AWS STS quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
  (inline role policy 10,240 characters, trust policy 2,048, role name 64 of [\\w+=,.@-])
- AWS KMS quotas: https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (key policy 32 KB)
- Amazon SQS quotas (queue name 80 of [A-Za-z0-9_-]); Amazon SNS quotas (topic name 256);
  DynamoDB naming rules (3..255 of [A-Za-z0-9_.-]); AWS WAF quotas (name 128)
- Tagging AWS resources: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html (50 tags per resource)
- API Gateway quotas and "Set up CloudWatch logging for REST APIs":
  https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html,
  https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from botocore.exceptions import ClientError

from webhookctl import aws_limits

ROLE = "arn:aws:iam::123456789012:role/lambda-test"


def small_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(e, c):\n    return 1\n")
    return buffer.getvalue()


def zeros_zip(unzipped_bytes: int) -> bytes:
    """A small zip that unzips to `unzipped_bytes` (zeros compress about 1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("blob.bin", "w", force_zip64=True) as entry:
            chunk = bytes(8 << 20)
            left = unzipped_bytes
            while left > 0:
                entry.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def lambda_role(boto):
    """moto's CreateFunction needs the role to exist."""
    iam = boto("iam")
    try:
        iam.create_role(RoleName="lambda-test", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    except iam.exceptions.EntityAlreadyExistsException:
        pass


def refused(call, code: str) -> str:
    with pytest.raises(ClientError) as error:
        call()
    assert error.value.response["Error"]["Code"] == code, error.value.response
    return error.value.response["Error"]["Message"]


def create_function(lam, name: str, **extra):
    return lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="handler.handler",
                               Code={"ZipFile": extra.pop("zip", None) or small_zip()}, **extra)


# --- Lambda ------------------------------------------------------------------------------------


def test_environment_over_4_kb_is_refused_on_create_and_update(boto):
    lam = boto("lambda")
    variables = {"PROVIDER_SETTINGS": "x" * 4100}
    message = refused(lambda: create_function(lam, "env-too-big", Environment={"Variables": variables}), "InvalidParameterValueException")
    assert message == (
        "Lambda was unable to configure your environment variables because the environment variables you have provided "
        'exceeded the 4KB limit. String measured: {"PROVIDER_SETTINGS":"' + "x" * 4100 + '"}'
    )
    fits = {"A": "x" * (aws_limits.ENVIRONMENT_BYTES - len('{"A":""}'))}
    create_function(lam, "env-fits", Environment={"Variables": fits})
    refused(lambda: lam.update_function_configuration(FunctionName="env-fits", Environment={"Variables": {**fits, "B": "1"}}),
            "InvalidParameterValueException")


def test_function_plus_layers_over_250_mb_unzipped_is_refused(boto):
    lam = boto("lambda")
    layer = lam.publish_layer_version(LayerName="big-layer", Content={"ZipFile": zeros_zip(200 << 20)})["LayerVersionArn"]
    message = refused(lambda: create_function(lam, "too-big-with-layer", zip=zeros_zip(60 << 20), Layers=[layer]),
                      "InvalidParameterValueException")
    assert message.startswith("Function code combined with layers exceeds the maximum allowed size of 262144000 bytes.")
    create_function(lam, "fits-with-layer", Layers=[layer])
    refused(lambda: lam.update_function_code(FunctionName="fits-with-layer", ZipFile=zeros_zip(60 << 20)), "InvalidParameterValueException")


def test_layer_over_250_mb_unzipped_is_refused(boto):
    message = refused(lambda: boto("lambda").publish_layer_version(LayerName="huge", Content={"ZipFile": zeros_zip(251 << 20)}),
                      "InvalidParameterValueException")
    assert message == "Unzipped size must be smaller than 262144000 bytes"


def test_direct_upload_over_50_mb_is_refused():
    # The 50 MB zip arrives base64-encoded, so AWS measures the request (69,905,067 bytes).
    assert aws_limits.request_size_problem(70_000_000, "CreateFunction") == (
        "Request must be smaller than 69905067 bytes for the CreateFunction operation")
    assert aws_limits.zipped_problem(aws_limits.ZIPPED_BYTES + 1) is not None
    assert aws_limits.zipped_problem(aws_limits.ZIPPED_BYTES) is None


def test_large_direct_upload_is_refused_by_the_local_cloud(boto):
    import os

    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("noise.bin", os.urandom(53 << 20))
    message = refused(lambda: create_function(boto("lambda"), "upload-too-big", zip=big.getvalue()), "RequestEntityTooLargeException")
    assert message == "Request must be smaller than 69905067 bytes for the CreateFunction operation"


def test_more_than_five_layers_and_bad_names_are_refused(boto):
    lam = boto("lambda")
    layer = lam.publish_layer_version(LayerName="tiny", Content={"ZipFile": small_zip()})["LayerVersionArn"]
    assert refused(lambda: create_function(lam, "six-layers", Layers=[layer] * 6), "InvalidParameterValueException") == (
        "Cannot reference more than 5 layers.")
    message = refused(lambda: create_function(lam, "f" * 65), "ValidationException")
    assert "at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64" in message
    refused(lambda: create_function(lam, "bad name!"), "ValidationException")


def test_more_than_50_tags_are_refused(boto):
    tags = {f"k{i}": "v" for i in range(51)}
    refused(lambda: create_function(boto("lambda"), "tagged", Tags=tags), "InvalidParameterValueException")
    refused(lambda: boto("sqs").create_queue(QueueName="tagged-queue", tags=tags), "InvalidParameterValue")
    refused(lambda: boto("dynamodb").create_table(
        TableName="tagged-table", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()]), "ValidationException")
    refused(lambda: boto("sns").create_topic(Name="tagged-topic", Tags=[{"Key": k, "Value": v} for k, v in tags.items()]),
            "TagLimitExceeded")
    refused(lambda: boto("iam").create_role(RoleName="tagged-role", AssumeRolePolicyDocument="{}",
                                            Tags=[{"Key": k, "Value": v} for k, v in tags.items()]), "LimitExceeded")
    refused(lambda: boto("kms").create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()]), "TagException")


# --- IAM and KMS ---------------------------------------------------------------------------------


def policy_of(characters: int) -> str:
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}
    document = {"Version": "2012-10-17", "Statement": [statement]}
    filler = characters - aws_limits.policy_characters(document) - len(',"Sid":""')
    statement["Sid"] = "S" * filler
    return json.dumps(document, indent=4)  # whitespace does not count


def test_inline_role_policy_over_10240_characters_is_refused(boto):
    iam = boto("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="policy-size-role", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="policy-size-role", PolicyName="fits", PolicyDocument=policy_of(10_240))
    message = refused(lambda: iam.put_role_policy(RoleName="policy-size-role", PolicyName="over", PolicyDocument=policy_of(10_241)),
                      "LimitExceeded")
    assert message == "Maximum policy size of 10240 bytes exceeded for role policy-size-role"


def test_role_names_and_trust_policy_size_are_checked(boto):
    iam = boto("iam")
    message = refused(lambda: iam.create_role(RoleName="r" * 65, AssumeRolePolicyDocument="{}"), "ValidationError")
    assert "at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64" in message
    refused(lambda: iam.create_role(RoleName="bad/role", AssumeRolePolicyDocument="{}"), "ValidationError")
    assert refused(lambda: iam.create_role(RoleName="big-trust", AssumeRolePolicyDocument=policy_of(2_049)), "LimitExceeded") == (
        "Cannot exceed quota for ACLSizePerRole: 2048")


def test_key_policy_over_32_kb_is_refused(boto):
    kms = boto("kms")
    big = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "S" * 33_000, "Effect": "Allow",
                                                              "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]})
    refused(lambda: kms.create_key(Policy=big), "LimitExceededException")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    refused(lambda: kms.put_key_policy(KeyId=key, PolicyName="default", Policy=big), "LimitExceededException")


# --- names of queues, topics, tables and web ACLs --------------------------------------------------


def test_queue_topic_table_and_web_acl_names_are_checked(boto):
    assert refused(lambda: boto("sqs").create_queue(QueueName="q" * 81), "InvalidParameterValue") == (
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
    refused(lambda: boto("sqs").create_queue(QueueName="bad.queue"), "InvalidParameterValue")
    assert refused(lambda: boto("sns").create_topic(Name="bad topic"), "InvalidParameter") == "Invalid parameter: Topic Name"
    refused(lambda: boto("sns").create_topic(Name="t" * 257), "InvalidParameter")
    table = dict(KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST")
    refused(lambda: boto("dynamodb").create_table(TableName="ab", **table), "ValidationException")
    refused(lambda: boto("dynamodb").create_table(TableName="bad table", **table), "ValidationException")
    refused(lambda: boto("wafv2").create_web_acl(
        Name="w" * 129, Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}),
        "WAFInvalidParameterException")


# --- API Gateway -----------------------------------------------------------------------------------


def stage_of(boto):
    api = boto("apigateway")
    rest = api.create_rest_api(name="limits-api")["id"]
    root = api.get_resources(restApiId=rest)["items"][0]["id"]
    api.put_method(restApiId=rest, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=rest, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = api.create_deployment(restApiId=rest)["id"]
    api.create_stage(restApiId=rest, stageName="live", deploymentId=deployment)
    return api, rest


def test_stage_throttle_above_the_account_throttle_is_refused(boto):
    api, rest = stage_of(boto)
    account = api.get_account()["throttleSettings"]
    patch = [{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(account["rateLimit"] + 1)}]
    message = refused(lambda: api.update_stage(restApiId=rest, stageName="live", patchOperations=patch), "BadRequestException")
    assert "exceeds the account-level rate limit" in message
    burst = [{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(account["burstLimit"] + 1)}]
    refused(lambda: api.update_stage(restApiId=rest, stageName="live", patchOperations=burst), "BadRequestException")
    fits = [{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1000"}]
    api.update_stage(restApiId=rest, stageName="live", patchOperations=fits)


def test_access_logging_needs_the_account_cloudwatch_role(boto):
    api, rest = stage_of(boto)
    patch = [{"op": "replace", "path": "/accessLogSettings/destinationArn", "value": "arn:aws:logs:us-east-1:123456789012:log-group:g"},
             {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"}]
    previous = api.get_account().get("cloudwatchRoleArn")
    api.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": ""}])
    try:
        message = refused(lambda: api.update_stage(restApiId=rest, stageName="live", patchOperations=patch), "BadRequestException")
        assert message == "CloudWatch Logs role ARN must be set in account settings to enable logging"
        api.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": "arn:aws:iam::123456789012:role/apigw-logs"}])
        api.update_stage(restApiId=rest, stageName="live", patchOperations=patch)
    finally:
        api.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": previous or ""}])
