"""IAM and KMS policy documents: pure functions of the env's ARNs, so they are easy to lint.

Each function role names only the exact ARNs it touches. The `*` resources are for
X-Ray's PutTraceSegments / PutTelemetryRecords and DynamoDB's ListStreams, which support no other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from webhookctl.config import FUNCTIONS
from webhookctl.names import Names
from webhookctl.provision.partitions import regional_service

VERSION = "2012-10-17"
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
# A function that writes to, or reads from, anything encrypted with the key needs both.
KMS_USE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"]
# Services that use the key on behalf of principals of this account.
KEY_USERS_VIA = ("sqs", "sns", "dynamodb", "secretsmanager", "lambda")


@dataclass(frozen=True)
class ResourceArns:
    """Every ARN a policy of this env refers to."""

    table: str
    table_stream: str
    processor_dlq: str
    audit_dlq: str
    alerts_topic: str
    secret: str
    kms_key: str
    audit_log_group: str
    function_log_groups: dict[str, str]
    functions: dict[str, str]
    account_id: str
    region: str
    partition: str
    api_access_log_group: str = ""
    roles: dict[str, str] = field(default_factory=dict)
    alarms: str = ""  # ARN pattern matching exactly this env's alarms

    @classmethod
    def for_env(
        cls,
        names: Names,
        *,
        account_id: str,
        region: str,
        partition: str,
        kms_key_arn: str,
        table_stream_arn: str | None = None,
        secret_arn: str | None = None,
    ) -> "ResourceArns":
        """ARNs derived from the deterministic names.

        The stream label and the secret's random suffix are known only once those
        exist; until then the ARN patterns below match exactly this table's streams
        and this secret name (Secrets Manager appends '-' and six characters).
        """
        prefix = f"arn:{partition}"

        def arn(service: str, resource: str) -> str:
            return f"{prefix}:{service}:{region}:{account_id}:{resource}"

        table = arn("dynamodb", f"table/{names.table}")
        return cls(
            table=table,
            table_stream=table_stream_arn or f"{table}/stream/*",
            processor_dlq=arn("sqs", names.processor_dlq),
            audit_dlq=arn("sqs", names.audit_dlq),
            alerts_topic=arn("sns", names.alerts_topic),
            secret=secret_arn or arn("secretsmanager", f"secret:{names.secret}-??????"),
            kms_key=kms_key_arn,
            audit_log_group=log_group_arn(partition, region, account_id, names.audit_log_group),
            function_log_groups={
                key: log_group_arn(partition, region, account_id, names.function_log_group(key)) for key in FUNCTIONS
            },
            functions={key: arn("lambda", f"function:{names.function(key)}") for key in FUNCTIONS},
            account_id=account_id,
            region=region,
            partition=partition,
            api_access_log_group=log_group_arn(partition, region, account_id, names.api_access_log_group),
            roles={key: f"{prefix}:iam::{account_id}:role/{names.role(key, region)}" for key in FUNCTIONS},
            alarms=arn("cloudwatch", f"alarm:{names.alarm('*')}"),
        )

    @property
    def log_groups(self) -> list[str]:
        """Every log group of the env (the ARN form CloudWatch Logs uses in its KMS encryption context)."""
        groups = [*self.function_log_groups.values(), self.audit_log_group]
        if self.api_access_log_group:
            groups.append(self.api_access_log_group)
        return groups


def log_group_arn(partition: str, region: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"


def _streams_of(log_group: str) -> str:
    """The log streams of one log group: what CreateLogStream/PutLogEvents authorise against."""
    return f"{log_group}:*"


def _allow(sid: str, actions: list[str], resources: list[str]) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def _document(statements: list[dict]) -> dict:
    return {"Version": VERSION, "Statement": statements}


def assume_role_policy() -> dict:
    """Trust policy: only the Lambda service may assume a function role."""
    return _document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
    )


def api_gateway_logging_trust_policy() -> dict:
    """Trust policy of the account's API Gateway CloudWatch role."""
    return _document([{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}])


def api_gateway_logging_policy_arn(partition: str) -> str:
    """The AWS-managed policy that lets API Gateway write logs to CloudWatch Logs."""
    return f"arn:{partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"


def function_policy(key: str, arns: ResourceArns) -> dict:
    """The inline policy of one function's role; key is receiver | processor | audit."""
    try:
        build = _FUNCTION_STATEMENTS[key]
    except KeyError:
        raise ValueError(f"unknown function {key!r}: expected one of {', '.join(_FUNCTION_STATEMENTS)}") from None
    common = [
        _allow("WriteOwnLogs", LOG_WRITE_ACTIONS, [_streams_of(arns.function_log_groups[key])]),
        # Environment variables, the table, the queues and the secret are all encrypted with the env's key.
        _allow("UseEnvKey", KMS_USE_ACTIONS, [arns.kms_key]),
        # X-Ray's trace actions have no resource-level permissions: "*" is the only valid resource.
        _allow("WriteTraces", XRAY_ACTIONS, ["*"]),
    ]
    return _document(build(arns) + common)


def _receiver_statements(arns: ResourceArns) -> list[dict]:
    return [
        _allow("ReadProviderSecrets", ["secretsmanager:GetSecretValue"], [arns.secret]),
        _allow("StoreEvents", ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"], [arns.table]),
        _allow("HandOffToProcessor", ["lambda:InvokeFunction"], [arns.functions["processor"]]),
    ]


def _processor_statements(arns: ResourceArns) -> list[dict]:
    return [
        _allow("ProcessEvents", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [arns.table]),
        # Lambda sends failed async invocations to the DeadLetterConfig queue with the function's role.
        _allow("DeadLetters", ["sqs:SendMessage"], [arns.processor_dlq]),
    ]


def _audit_statements(arns: ResourceArns) -> list[dict]:
    return [
        _allow(
            "ReadEventStream",
            ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            [arns.table_stream],
        ),
        # ListStreams has no resource type (Service Authorization Reference): only "*" grants it.
        # It discloses stream ARNs only. Lambda's DynamoDB event source lists it as required.
        _allow("ListEventStreams", ["dynamodb:ListStreams"], ["*"]),
        # The event source mapping's on-failure destination is sent with the function's role.
        _allow("FailedBatches", ["sqs:SendMessage"], [arns.audit_dlq]),
        _allow("WriteAuditLog", LOG_WRITE_ACTIONS, [_streams_of(arns.audit_log_group)]),
    ]


_FUNCTION_STATEMENTS = {
    "receiver": _receiver_statements,
    "processor": _processor_statements,
    "audit": _audit_statements,
}
assert set(_FUNCTION_STATEMENTS) == set(FUNCTIONS)


def kms_key_policy(arns: ResourceArns) -> dict:
    """Key policy of the env's CMK; in a key policy, Resource "*" means this key."""
    return _document(
        [
            _account_administers_key(arns),
            _logs_encrypt_env_log_groups(arns),
            *_account_uses_key_through_services(arns),
            _alarms_publish_to_topic(arns),
        ]
    )


def _account_administers_key(arns: ResourceArns) -> dict:
    # The account administers the key; IAM policies then decide who may do what.
    account_root = f"arn:{arns.partition}:iam::{arns.account_id}:root"
    return {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": account_root}, "Action": "kms:*", "Resource": "*"}


def _logs_encrypt_env_log_groups(arns: ResourceArns) -> dict:
    return {
        "Sid": "CloudWatchLogsEncryptsEnvLogGroups",
        "Effect": "Allow",
        "Principal": {"Service": regional_service("logs", arns.region, arns.partition)},
        # The encryption context carries the exact log group ARN, so every other
        # log group of the account is refused (DescribeKey carries no context).
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": arns.log_groups}},
    }


def _account_uses_key_through_services(arns: ResourceArns) -> list[dict]:
    via_services = [regional_service(service, arns.region, arns.partition) for service in KEY_USERS_VIA]
    through_services = {"kms:CallerAccount": arns.account_id, "kms:ViaService": via_services}
    return [
        {
            # Principals of this account may use the key only through the services that store env data.
            "Sid": "AccountUsesKeyThroughServices",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {"StringEquals": through_services},
        },
        {
            # Grants only for the AWS resources those services make (Lambda's environment, DynamoDB's
            # table): a principal cannot hand itself a grant through them (kms:GrantIsForAWSResource).
            "Sid": "AccountGrantsKeyToServices",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"StringEquals": dict(through_services), "Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


def _alarms_publish_to_topic(arns: ResourceArns) -> dict:
    # Alarm notifications are published by CloudWatch to the encrypted alerts topic.
    return {
        "Sid": "CloudWatchAlarmsPublishToTopic",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": _alarm_source(arns),
    }


def _alarm_source(arns: ResourceArns) -> dict:
    """Confused-deputy guard: only this account's alarms (this env's, when their ARN pattern is known)."""
    condition: dict = {"StringEquals": {"aws:SourceAccount": arns.account_id}}
    if arns.alarms:
        condition["ArnLike"] = {"aws:SourceArn": arns.alarms}
    return condition
