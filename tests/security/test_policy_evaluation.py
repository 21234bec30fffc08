"""Each handler's AWS calls, and each call AWS services make with a function's role or on the env's key,
evaluated against the generated role policies and key policy (tests/security/iam_evaluator.py).

The calls: handlers/webhook_receiver (GetSecretValue, PutItem/GetItem/UpdateItem, async Invoke of the
processor), handlers/payment_processor (GetItem/UpdateItem), handlers/audit_logger (CreateLogStream,
PutLogEvents), Lambda's own calls with the role (the DLQ SendMessage, the stream reads of the event source
mapping and its on-failure SendMessage: Lambda Developer Guide, "Using AWS Lambda with Amazon DynamoDB"),
and KMS use through each service (AWS KMS Developer Guide, "kms:ViaService", and "Encrypt log data in
CloudWatch Logs using AWS KMS").
"""

from __future__ import annotations

import pytest

from tests.security.iam_evaluator import Request, decide
from webhookctl.names import Names
from webhookctl.provision import policies

ACCOUNT, REGION = "111122223333", "us-east-1"
NAMES = Names("webhookctl", "dev")
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ARNS = policies.ResourceArns.for_env(NAMES, account_id=ACCOUNT, region=REGION, partition="aws", kms_key_arn=KEY)
KEY_POLICY = policies.kms_key_policy(policies.ResourceArns.for_env(NAMES, account_id=ACCOUNT, region=REGION, partition="aws", kms_key_arn="*"))
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{NAMES.secret}-AbCdEf"
STREAM = f"{ARNS.table}/stream/2024-05-01T12:00:00.123"


def role(key: str) -> str:
    return ARNS.roles[key]


def via(service: str) -> dict[str, str]:
    return {"kms:ViaService": f"{service}.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}


ROLE_CALLS = [
    ("receiver", "secretsmanager:GetSecretValue", SECRET, {}),
    ("receiver", "dynamodb:PutItem", ARNS.table, {}),
    ("receiver", "dynamodb:GetItem", ARNS.table, {}),
    ("receiver", "dynamodb:UpdateItem", ARNS.table, {}),
    ("receiver", "lambda:InvokeFunction", ARNS.functions["processor"], {}),
    ("receiver", "logs:PutLogEvents", ARNS.function_log_groups["receiver"] + ":log-stream:2024/05/01/[$LATEST]abc", {}),
    ("receiver", "xray:PutTraceSegments", "*", {}),
    ("receiver", "kms:Decrypt", KEY, via("secretsmanager")),
    ("receiver", "kms:Decrypt", KEY, via("lambda")),
    ("receiver", "kms:GenerateDataKey", KEY, via("dynamodb")),
    ("processor", "dynamodb:GetItem", ARNS.table, {}),
    ("processor", "dynamodb:UpdateItem", ARNS.table, {}),
    ("processor", "sqs:SendMessage", ARNS.processor_dlq, {}),
    ("processor", "kms:GenerateDataKey", KEY, via("sqs")),
    ("audit", "dynamodb:DescribeStream", STREAM, {}),
    ("audit", "dynamodb:GetRecords", STREAM, {}),
    ("audit", "dynamodb:GetShardIterator", STREAM, {}),
    ("audit", "kms:Decrypt", KEY, via("dynamodb")),
    ("audit", "sqs:SendMessage", ARNS.audit_dlq, {}),
    ("audit", "kms:GenerateDataKey", KEY, via("sqs")),
    ("audit", "logs:CreateLogStream", ARNS.audit_log_group + ":log-stream:s", {}),
    ("audit", "logs:PutLogEvents", ARNS.audit_log_group + ":log-stream:s", {}),
]


@pytest.mark.parametrize(("key", "action", "resource", "context"), ROLE_CALLS, ids=[f"{c[0]}-{c[1]}" for c in ROLE_CALLS])
def test_each_call_a_role_makes_is_allowed(key, action, resource, context):
    identity = [policies.function_policy(key, ARNS)]
    key_policy = KEY_POLICY if action.startswith("kms:") else None
    assert decide(Request(role(key), action, resource, context), identity, key_policy, ACCOUNT) == "Allowed"


def test_list_streams_is_allowed():  # F8: in a statement of its own, on "*"
    assert decide(Request(role("audit"), "dynamodb:ListStreams", "*"), [policies.function_policy("audit", ARNS)]) == "Allowed"


def test_roles_cannot_reach_what_they_do_not_need():
    assert decide(Request(role("processor"), "secretsmanager:GetSecretValue", SECRET), [policies.function_policy("processor", ARNS)]) == "ImplicitlyDenied"
    assert decide(Request(role("audit"), "dynamodb:PutItem", ARNS.table), [policies.function_policy("audit", ARNS)]) == "ImplicitlyDenied"
    assert decide(Request(role("receiver"), "kms:Decrypt", KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}),
                  [], KEY_POLICY, ACCOUNT) == "ImplicitlyDenied"


def test_services_use_the_key_only_for_this_env():
    logs = f"logs.{REGION}.amazonaws.com"
    for group in ARNS.log_groups:
        assert decide(Request(logs, "kms:GenerateDataKey", "*", {"kms:EncryptionContext:aws:logs:arn": group}), [], KEY_POLICY, ACCOUNT) == "Allowed"
    other = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/other"
    assert decide(Request(logs, "kms:GenerateDataKey", "*", {"kms:EncryptionContext:aws:logs:arn": other}), [], KEY_POLICY, ACCOUNT) == "ImplicitlyDenied"
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{NAMES.alarm('processor-dlq')}"
    context = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": alarm}
    assert decide(Request("cloudwatch.amazonaws.com", "kms:GenerateDataKey", "*", context), [], KEY_POLICY, ACCOUNT) == "Allowed"
    assert decide(Request("cloudwatch.amazonaws.com", "kms:GenerateDataKey", "*", {"aws:SourceAccount": ACCOUNT}), [], KEY_POLICY, ACCOUNT) == "ImplicitlyDenied"


def test_the_evaluator_honours_deny_and_conditions():
    allow = {"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}]}
    deny = {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    assert decide(Request("r", "s3:GetObject", "arn:aws:s3:::b/k"), [allow]) == "Allowed"
    assert decide(Request("r", "s3:PutObject", "arn:aws:s3:::b/k"), [allow]) == "ImplicitlyDenied"
    assert decide(Request("r", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "false"}), [allow, deny]) == "ExplicitlyDenied"
    assert decide(Request("r", "s3:GetObject", "arn:aws:s3:::c/k"), [allow]) == "ImplicitlyDenied"
