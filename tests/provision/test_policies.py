"""IAM and KMS policy documents: least privilege, exact ARNs, and a clean parliament lint."""

from __future__ import annotations

import json

import pytest

from webhookctl.names import Names
from webhookctl.provision import policies
from webhookctl.provision.policies import ResourceArns

ACCOUNT = "123456789012"
REGION = "eu-west-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/webhookctl-events-dev/stream/2024-01-01T00:00:00.000"
FUNCTIONS = ("receiver", "processor", "audit")
XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# Actions with no resource type in the Service Authorization Reference: "*" is their only resource.
STAR_ONLY = XRAY | {"dynamodb:ListStreams"}


@pytest.fixture
def arns() -> ResourceArns:
    return ResourceArns.for_env(Names("webhookctl", "dev"), account_id=ACCOUNT, region=REGION, partition="aws", kms_key_arn=KEY_ARN)


def statements(document: dict) -> list[dict]:
    return document["Statement"]


def as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def grants(document: dict) -> dict[str, set[str]]:
    """action -> the resources it is allowed on."""
    found: dict[str, set[str]] = {}
    for statement in statements(document):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            found.setdefault(action, set()).update(as_list(statement["Resource"]))
    return found


def every_arn(arns: ResourceArns) -> set[str]:
    values = {
        arns.table,
        arns.table_stream,
        arns.processor_dlq,
        arns.audit_dlq,
        arns.alerts_topic,
        arns.secret,
        arns.kms_key,
        arns.audit_log_group,
        arns.api_access_log_group,
        *arns.function_log_groups.values(),
        *arns.functions.values(),
    }
    return values


def test_arns_follow_the_deterministic_names(arns):
    assert arns.table == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/webhookctl-events-dev"
    assert arns.table_stream == arns.table + "/stream/*"
    assert arns.processor_dlq == f"arn:aws:sqs:{REGION}:{ACCOUNT}:webhookctl-processor-dlq-dev"
    assert arns.audit_dlq == f"arn:aws:sqs:{REGION}:{ACCOUNT}:webhookctl-audit-dlq-dev"
    assert arns.alerts_topic == f"arn:aws:sns:{REGION}:{ACCOUNT}:webhookctl-alerts-dev"
    assert arns.secret == f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:webhookctl-provider-secrets-dev-??????"
    assert arns.functions["processor"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:webhookctl-processor-dev"
    assert arns.function_log_groups["audit"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/webhookctl-audit-dev"
    assert arns.audit_log_group == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/webhookctl/audit-dev"
    assert arns.roles["receiver"] == f"arn:aws:iam::{ACCOUNT}:role/webhookctl-receiver-role-dev-euw1"
    assert arns.kms_key == KEY_ARN


def test_known_arns_replace_the_patterns():
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:webhookctl-provider-secrets-dev-AbC123"
    arns = ResourceArns.for_env(
        Names("webhookctl", "dev"),
        account_id=ACCOUNT,
        region=REGION,
        partition="aws",
        kms_key_arn=KEY_ARN,
        table_stream_arn=STREAM_ARN,
        secret_arn=secret,
    )
    assert arns.table_stream == STREAM_ARN
    assert arns.secret == secret
    assert grants(policies.function_policy("receiver", arns))["secretsmanager:GetSecretValue"] == {secret}
    assert grants(policies.function_policy("audit", arns))["dynamodb:GetRecords"] == {STREAM_ARN}


def test_other_partitions_are_used_throughout():
    arns = ResourceArns.for_env(Names("webhookctl", "dev"), account_id=ACCOUNT, region="cn-north-1", partition="aws-cn", kms_key_arn="arn:aws-cn:kms:cn-north-1:123456789012:key/k")
    for arn in every_arn(arns):
        assert arn.startswith("arn:aws-cn:"), arn
    root = statements(policies.kms_key_policy(arns))[0]["Principal"]["AWS"]
    assert root == "arn:aws-cn:iam::123456789012:root"


@pytest.mark.parametrize("key", FUNCTIONS)
def test_no_star_action_and_star_resource_only_for_actions_without_resource_types(key, arns):
    document = policies.function_policy(key, arns)
    assert document["Version"] == "2012-10-17"
    for statement in statements(document):
        actions = as_list(statement["Action"])
        resources = as_list(statement["Resource"])
        assert all("*" not in action for action in actions), actions
        if "*" in resources:
            assert set(actions) <= STAR_ONLY, statement
            assert resources == ["*"]
    assert set(grants(document)) >= XRAY


@pytest.mark.parametrize("key", FUNCTIONS)
def test_each_policy_names_only_this_envs_exact_arns(key, arns):
    allowed = every_arn(arns) | {group + ":*" for group in arns.log_groups} | {"*"}
    for action, resources in grants(policies.function_policy(key, arns)).items():
        assert resources <= allowed, (action, resources - allowed)


def test_receiver_grants(arns):
    found = grants(policies.function_policy("receiver", arns))
    assert found == {
        "secretsmanager:GetSecretValue": {arns.secret},
        "dynamodb:PutItem": {arns.table},
        "dynamodb:GetItem": {arns.table},
        "dynamodb:UpdateItem": {arns.table},
        "lambda:InvokeFunction": {arns.functions["processor"]},
        "kms:Decrypt": {KEY_ARN},
        "kms:GenerateDataKey": {KEY_ARN},
        "logs:CreateLogStream": {arns.function_log_groups["receiver"] + ":*"},
        "logs:PutLogEvents": {arns.function_log_groups["receiver"] + ":*"},
        "xray:PutTraceSegments": {"*"},
        "xray:PutTelemetryRecords": {"*"},
    }


def test_processor_grants(arns):
    found = grants(policies.function_policy("processor", arns))
    assert found == {
        "dynamodb:GetItem": {arns.table},
        "dynamodb:UpdateItem": {arns.table},
        "sqs:SendMessage": {arns.processor_dlq},
        "kms:Decrypt": {KEY_ARN},
        "kms:GenerateDataKey": {KEY_ARN},
        "logs:CreateLogStream": {arns.function_log_groups["processor"] + ":*"},
        "logs:PutLogEvents": {arns.function_log_groups["processor"] + ":*"},
        "xray:PutTraceSegments": {"*"},
        "xray:PutTelemetryRecords": {"*"},
    }


def test_audit_grants(arns):
    found = grants(policies.function_policy("audit", arns))
    logs = {arns.function_log_groups["audit"] + ":*", arns.audit_log_group + ":*"}
    assert found == {
        "dynamodb:DescribeStream": {arns.table_stream},
        "dynamodb:GetRecords": {arns.table_stream},
        "dynamodb:GetShardIterator": {arns.table_stream},
        # ListStreams has no resource type: only "*" grants it (review F8; aws/aws-cdk#9511).
        "dynamodb:ListStreams": {"*"},
        "sqs:SendMessage": {arns.audit_dlq},
        "kms:Decrypt": {KEY_ARN},
        "kms:GenerateDataKey": {KEY_ARN},
        "logs:CreateLogStream": logs,
        "logs:PutLogEvents": logs,
        "xray:PutTraceSegments": {"*"},
        "xray:PutTelemetryRecords": {"*"},
    }


def test_list_streams_has_its_own_star_statement_and_the_stream_reads_stay_scoped(arns):
    document = policies.function_policy("audit", arns)
    (listing,) = [s for s in statements(document) if "dynamodb:ListStreams" in as_list(s["Action"])]
    assert as_list(listing["Action"]) == ["dynamodb:ListStreams"] and listing["Resource"] == ["*"]
    (reads,) = [s for s in statements(document) if "dynamodb:GetRecords" in as_list(s["Action"])]
    assert reads["Resource"] == [arns.table_stream] and "dynamodb:ListStreams" not in reads["Action"]


def test_no_function_reaches_another_functions_resources(arns):
    receiver = json.dumps(policies.function_policy("receiver", arns))
    processor = json.dumps(policies.function_policy("processor", arns))
    audit = json.dumps(policies.function_policy("audit", arns))
    assert arns.processor_dlq not in receiver + audit
    assert arns.audit_dlq not in receiver + processor
    assert arns.secret not in processor + audit
    assert arns.functions["processor"] not in processor + audit


def test_unknown_function_is_refused(arns):
    with pytest.raises(ValueError, match="unknown function 'worker'"):
        policies.function_policy("worker", arns)


def test_assume_role_policy_trusts_only_lambda():
    document = policies.assume_role_policy()
    (statement,) = statements(document)
    assert statement == {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}


def key_statement(arns: ResourceArns, sid: str) -> dict:
    return next(s for s in statements(policies.kms_key_policy(arns)) if s["Sid"] == sid)


def test_key_policy_lets_the_account_administer_the_key(arns):
    statement = key_statement(arns, "AccountAdministers")
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert statement["Action"] == "kms:*"
    assert "Condition" not in statement


def test_key_policy_lets_cloudwatch_logs_encrypt_only_this_envs_log_groups(arns):
    statement = key_statement(arns, "CloudWatchLogsEncryptsEnvLogGroups")
    assert statement["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"} <= set(statement["Action"])
    groups = statement["Condition"]["StringEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert sorted(groups) == sorted(
        [*arns.function_log_groups.values(), arns.audit_log_group, arns.api_access_log_group]
    )
    assert all(":*" not in group for group in groups)  # the context holds the log group ARN itself


def test_key_policy_lets_account_principals_use_the_key_only_through_the_services(arns):
    statement = key_statement(arns, "AccountUsesKeyThroughServices")
    condition = statement["Condition"]["StringEquals"]
    assert condition["kms:CallerAccount"] == ACCOUNT
    assert sorted(condition["kms:ViaService"]) == sorted(
        f"{service}.{REGION}.amazonaws.com" for service in ("sqs", "sns", "dynamodb", "secretsmanager", "lambda")
    )
    assert "kms:*" not in statement["Action"]
    assert "kms:CreateGrant" not in statement["Action"]  # only in the grant statement below


def test_key_policy_allows_grants_only_for_aws_resources(arns):
    # Review F11: CreateGrant through the services only with kms:GrantIsForAWSResource (KMS Developer
    # Guide, "kms:GrantIsForAWSResource"), so a principal cannot grant itself the key through them.
    statement = key_statement(arns, "AccountGrantsKeyToServices")
    assert statement["Action"] == "kms:CreateGrant"
    assert statement["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert statement["Condition"]["StringEquals"]["kms:CallerAccount"] == ACCOUNT
    granting = [s for s in statements(policies.kms_key_policy(arns)) if "kms:CreateGrant" in as_list(s["Action"]) and s["Sid"] != "AccountAdministers"]
    assert granting == [statement]


@pytest.mark.parametrize(
    "region, partition, suffix",
    [("cn-north-1", "aws-cn", "amazonaws.com.cn"), ("us-gov-west-1", "aws-us-gov", "amazonaws.com"), ("eu-west-1", "aws", "amazonaws.com")],
)
def test_key_policy_service_names_come_from_the_partition(region, partition, suffix):
    # Review F4: in China the logs principal and the kms:ViaService values end in amazonaws.com.cn
    # (botocore endpoints.json, partition aws-cn; Terraform aws_service_principal).
    arns = ResourceArns.for_env(Names("webhookctl", "dev"), account_id=ACCOUNT, region=region, partition=partition, kms_key_arn="*")
    document = policies.kms_key_policy(arns)
    logs = next(s for s in statements(document) if s["Sid"] == "CloudWatchLogsEncryptsEnvLogGroups")
    assert logs["Principal"] == {"Service": f"logs.{region}.{suffix}"}
    via = next(s for s in statements(document) if s["Sid"] == "AccountUsesKeyThroughServices")["Condition"]["StringEquals"]["kms:ViaService"]
    assert sorted(via) == sorted(f"{service}.{region}.{suffix}" for service in ("sqs", "sns", "dynamodb", "secretsmanager", "lambda"))


def test_key_policy_lets_cloudwatch_alarms_publish_to_the_encrypted_topic(arns):
    statement = key_statement(arns, "CloudWatchAlarmsPublishToTopic")
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:webhookctl-*-alarm-dev"}


def test_documents_are_plain_json(arns):
    for document in [policies.assume_role_policy(), policies.kms_key_policy(arns), *(policies.function_policy(k, arns) for k in FUNCTIONS)]:
        assert json.loads(json.dumps(document)) == document


# --- parliament ---------------------------------------------------------------------------------

SEVERITIES = ["MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
# Findings accepted knowingly: none (ListStreams now has its own "*" statement).
KNOWN: set[tuple[str, str, str]] = set()


def lint(document: dict, **options) -> list:
    import parliament  # in the [test] extra

    analyzed = parliament.analyze_policy_string(json.dumps(document), **options)
    for finding in analyzed.findings:
        parliament.enhance_finding(finding)
    return [f for f in analyzed.findings if SEVERITIES.index(f.severity) >= SEVERITIES.index("MEDIUM")]


def _known(key: str, finding) -> bool:
    details = finding.detail if isinstance(finding.detail, list) else [finding.detail]
    actions = {d.get("action") for d in details if isinstance(d, dict)}
    return bool(actions) and all((key, finding.issue, action) in KNOWN for action in actions)


@pytest.mark.parametrize("key", FUNCTIONS)
def test_function_policies_have_no_medium_or_worse_parliament_findings(key, arns):
    findings = [f for f in lint(policies.function_policy(key, arns)) if not _known(key, f)]
    assert findings == [], [(f.issue, f.severity, f.detail) for f in findings]


def test_parliament_flags_list_streams_scoped_to_the_stream(arns):
    # The mistake review F8 found: parliament reports it, so the clean lint above can fail.
    bad = policies.function_policy("audit", arns)
    bad["Statement"].append(policies._allow("Scoped", ["dynamodb:ListStreams"], [arns.table_stream]))
    assert "RESOURCE_MISMATCH" in [f.issue for f in lint(bad)]


def test_key_policy_has_no_medium_or_worse_parliament_findings(arns):
    findings = lint(policies.kms_key_policy(arns), ignore_private_auditors=True)
    assert findings == [], [(f.issue, f.severity, f.detail) for f in findings]


def test_parliament_would_catch_a_bad_condition(arns):
    # ArnLike on the (string-typed) encryption-context key is the mistake the key policy avoids.
    bad = policies.kms_key_policy(arns)
    logs = next(s for s in bad["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsEnvLogGroups")
    logs["Condition"] = {"ArnLike": logs["Condition"]["StringEquals"]}
    assert [f.issue for f in lint(bad, ignore_private_auditors=True)] == ["MISMATCHED_TYPE"]
