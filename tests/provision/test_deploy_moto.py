"""`up` / `plan` / `down` against moto (in process): properties, convergence, surgical updates."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.provision.conftest import make_artifacts
from webhookctl.errors import NotDeployedError
from webhookctl.names import Names
from webhookctl.provision import deploy, teardown

NAMES = Names("webhookctl", "dev")
REGION = "us-east-1"


def client(service: str):
    return boto3.client(service, region_name=REGION)


@pytest.fixture
def deployed(new_context, settings, artifacts):
    result = deploy.deploy(new_context(), settings, artifacts)
    return result


def test_cold_up_creates_every_resource_with_its_properties(deployed, settings):
    outputs = deployed.outputs
    assert deployed.summary["create"] == 33 and deployed.api_calls["write"] > 0
    tag = {"webhookctl:env": "dev", "webhookctl:app": "webhookctl"}

    kms = client("kms")
    key = kms.describe_key(KeyId=NAMES.kms_alias)["KeyMetadata"]
    key_arn = key["Arn"]
    assert outputs["KmsKeyArn"] == key_arn
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert any("logs." in json.dumps(s.get("Principal")) and "kms:EncryptionContext:aws:logs:arn" in json.dumps(s) for s in policy["Statement"])
    assert {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]} == tag

    ddb = client("dynamodb")
    table = ddb.describe_table(TableName=NAMES.table)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "event_key", "KeyType": "HASH"}]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["SSEDescription"]["SSEType"] == "KMS" and table["SSEDescription"]["KMSMasterKeyArn"] == key_arn
    assert ddb.describe_continuous_backups(TableName=NAMES.table)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=NAMES.table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] == "ENABLED"
    assert outputs["EventsStreamArn"] == table["LatestStreamArn"]

    sqs = client("sqs")
    for name, key_out in ((NAMES.processor_dlq, "ProcessorDlqUrl"), (NAMES.audit_dlq, "AuditDlqUrl")):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        assert outputs[key_out] == url
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["MessageRetentionPeriod"] == "1209600" and attributes["KmsMasterKeyId"] == key_arn
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == tag

    sns = client("sns")
    assert sns.get_topic_attributes(TopicArn=outputs["AlertsTopicArn"])["Attributes"]["KmsMasterKeyId"] == key_arn

    cloudwatch = client("cloudwatch")
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert len(alarms) == 6
    assert all(a["AlarmActions"] == [outputs["AlertsTopicArn"]] and a["ComparisonOperator"] == "GreaterThanThreshold" for a in alarms.values())
    metrics = sorted((a["Namespace"], a["MetricName"]) for a in alarms.values())
    assert metrics == sorted([("AWS/SQS", "ApproximateNumberOfMessagesVisible")] * 2 + [("AWS/Lambda", "Errors")] * 3 + [("AWS/ApiGateway", "5XXError")])

    secrets = client("secretsmanager")
    described = secrets.describe_secret(SecretId=NAMES.secret)
    assert described["KmsKeyId"] == key_arn and described["ARN"] == outputs["ProviderSecretArn"]
    document = json.loads(secrets.get_secret_value(SecretId=NAMES.secret)["SecretString"])
    assert sorted(document) == sorted(settings.providers_enabled)
    assert document["stripe"]["secrets"][0].startswith("whsec_") and "signing_key" in document["paypal"]

    logs = client("logs")
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    expected = [NAMES.function_log_group(k) for k in ("receiver", "processor", "audit")] + [NAMES.audit_log_group, NAMES.api_access_log_group]
    for name in expected:
        assert groups[name]["kmsKeyId"] == key_arn and groups[name]["retentionInDays"] == settings.log_retention_days

    iam = client("iam")
    for key in ("receiver", "processor", "audit"):
        role = iam.get_role(RoleName=NAMES.role(key, REGION))["Role"]
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
        inline = iam.get_role_policy(RoleName=NAMES.role(key, REGION), PolicyName=f"webhookctl-{key}")["PolicyDocument"]
        resources = [r for s in inline["Statement"] for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
        assert key_arn in resources
        star_only = [s for s in inline["Statement"] if all(a.startswith("xray:") or a == "dynamodb:ListStreams" for a in s["Action"])]
        assert [s for s in inline["Statement"] if "*" in s["Resource"]] == star_only

    lam = client("lambda")
    layer = lam.list_layer_versions(LayerName=NAMES.layer)["LayerVersions"]
    assert len(layer) == 1 and layer[0]["Description"].startswith("sha256:") and layer[0]["LayerVersionArn"] == outputs["LayerVersionArn"]
    for key in ("receiver", "processor", "audit"):
        config = lam.get_function(FunctionName=NAMES.function(key))["Configuration"]
        assert config["Runtime"] == "python3.11" and config["Architectures"] == ["arm64"] and config["Handler"] == "handler.handler"
        assert config["TracingConfig"] == {"Mode": "Active"} and config["KMSKeyArn"] == key_arn
        assert [l["Arn"] for l in config["Layers"]] == [outputs["LayerVersionArn"]]
        assert config["MemorySize"] == settings.functions[key].memory_mb and config["Timeout"] == settings.functions[key].timeout_s
        assert config["Role"].endswith(NAMES.role(key, REGION))
    receiver_env = lam.get_function(FunctionName=NAMES.function("receiver"))["Configuration"]["Environment"]["Variables"]
    assert receiver_env["WEBHOOK_URL_BASE"] == outputs["ApiUrl"] + "/webhook/"
    assert receiver_env["SECRET_ID"] == outputs["ProviderSecretArn"] and receiver_env["PROCESSOR_FUNCTION"] == NAMES.function("processor")
    assert receiver_env["EVENTS_TABLE"] == NAMES.table and receiver_env["PROVIDERS_ENABLED"].split(",") == list(settings.providers_enabled)
    assert {"WEBHOOKCTL_ENV", "LOG_LEVEL", "AWS_XRAY_CONTEXT_MISSING", "MAX_BODY_BYTES", "PROVIDER_SETTINGS", "SECRETS_TTL_S", "DUPLICATE_GRACE_S"} <= set(receiver_env)
    audit_env = lam.get_function(FunctionName=NAMES.function("audit"))["Configuration"]["Environment"]["Variables"]
    assert audit_env["AUDIT_LOG_GROUP"] == NAMES.audit_log_group
    invoke = lam.get_function_event_invoke_config(FunctionName=NAMES.function("processor"))
    assert invoke["MaximumRetryAttempts"] == 2 and invoke["MaximumEventAgeInSeconds"] == settings.async_maximum_event_age_s
    mapping = lam.list_event_source_mappings(FunctionName=NAMES.function("audit"))["EventSourceMappings"]
    assert len(mapping) == 1
    mapping = mapping[0]
    assert mapping["EventSourceArn"] == table["LatestStreamArn"] and mapping["BatchSize"] == settings.stream_batch_size
    assert mapping["BisectBatchOnFunctionError"] is True and mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(NAMES.audit_dlq)
    permission = json.loads(lam.get_policy(FunctionName=NAMES.function("receiver"))["Policy"])["Statement"][0]
    assert permission["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:execute-api:{REGION}:123456789012:{outputs['ApiId']}/*/POST/webhook/*"

    api = client("apigateway")
    rest = api.get_rest_api(restApiId=outputs["ApiId"])
    assert rest["endpointConfiguration"]["types"] == ["REGIONAL"]
    resources = {r["path"]: r for r in api.get_resources(restApiId=outputs["ApiId"])["items"]}
    leaf = resources["/webhook/{provider}"]
    integration = api.get_integration(restApiId=outputs["ApiId"], resourceId=leaf["id"], httpMethod="POST")
    assert integration["type"] == "AWS_PROXY" and NAMES.function("receiver") in integration["uri"]
    stage = api.get_stage(restApiId=outputs["ApiId"], stageName="live")
    assert stage["tracingEnabled"] is True
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 1000 and stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 2000
    assert json.loads(stage["accessLogSettings"]["format"])["requestId"] == "$context.requestId"
    assert stage["accessLogSettings"]["destinationArn"].endswith(NAMES.api_access_log_group)

    waf = client("wafv2")
    acl = waf.get_web_acl_for_resource(ResourceArn=f"arn:aws:apigateway:{REGION}::/restapis/{outputs['ApiId']}/stages/live")["WebACL"]
    assert acl["ARN"] == outputs["WebAclArn"]
    rule = acl["Rules"][0]
    assert rule["Statement"]["RateBasedStatement"]["Limit"] == 600 and rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rule["Action"] == {"Block": {}}
    assert outputs["ApiUrl"] == f"https://{outputs['ApiId']}.execute-api.{REGION}.amazonaws.com/live"


def test_second_up_makes_no_write_and_plan_is_empty(deployed, new_context, settings, artifacts):
    ctx = new_context()
    again = deploy.deploy(ctx, settings, artifacts)
    assert again.api_calls["write"] == 0, again.calls_by_operation
    assert again.summary == {"create": 0, "update": 0, "delete": 0, "unchanged": 33}
    assert again.outputs == deployed.outputs
    assert not deploy.plan(new_context(), settings, artifacts).pending
    # The gap is said, not hidden.
    assert any("DeadLetterConfig" in note for note in again.notes)


def test_one_handler_change_updates_only_that_code(deployed, new_context, settings, tmp_path):
    changed = make_artifacts(tmp_path / "v2", code={"processor": "def handler(event, context):\n    return 'v2'\n"})
    before = {k: client("lambda").get_function(FunctionName=NAMES.function(k))["Configuration"]["CodeSha256"] for k in ("receiver", "audit")}
    ctx = new_context()
    result = deploy.deploy(ctx, settings, changed)
    assert result.api_calls["write"] <= 3, result.calls_by_operation
    assert [c["resource"] for c in result.changes] == ["function_processor"]
    assert [d["property"] for d in result.changes[0]["details"]] == ["code"]
    assert ctx.counter.by_operation.get("lambda:UpdateFunctionCode") == 1
    after = {k: client("lambda").get_function(FunctionName=NAMES.function(k))["Configuration"]["CodeSha256"] for k in ("receiver", "audit")}
    assert after == before
    assert deploy.deploy(new_context(), settings, changed).api_calls["write"] == 0


def test_layer_change_publishes_one_version_and_repoints_functions(deployed, new_context, settings, tmp_path):
    changed = make_artifacts(tmp_path / "v2", layer_version="2")
    ctx = new_context()
    result = deploy.deploy(ctx, settings, changed)
    assert ctx.counter.by_operation.get("lambda:PublishLayerVersion") == 1
    assert result.outputs["LayerVersionArn"].endswith(":2")
    for key in ("receiver", "processor", "audit"):
        layers = client("lambda").get_function(FunctionName=NAMES.function(key))["Configuration"]["Layers"]
        assert [l["Arn"] for l in layers] == [result.outputs["LayerVersionArn"]]
    assert "lambda:UpdateFunctionCode" not in ctx.counter.by_operation
    assert deploy.deploy(new_context(), settings, changed).api_calls["write"] == 0


def test_drift_is_corrected_in_place(deployed, new_context, settings, artifacts):
    outputs = deployed.outputs
    client("sqs").set_queue_attributes(QueueUrl=outputs["AuditDlqUrl"], Attributes={"MessageRetentionPeriod": "60"})
    client("apigateway").update_stage(
        restApiId=outputs["ApiId"], stageName="live", patchOperations=[{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"}]
    )
    client("lambda").update_function_configuration(FunctionName=NAMES.function("audit"), MemorySize=1024)
    client("logs").put_retention_policy(logGroupName=NAMES.audit_log_group, retentionInDays=1)
    waf = client("wafv2")
    acl = waf.get_web_acl(Name=NAMES.web_acl, Scope="REGIONAL", Id=outputs["WebAclArn"].rsplit("/", 1)[-1])
    rules = acl["WebACL"]["Rules"]
    rules[0]["Statement"]["RateBasedStatement"]["Limit"] = 5000
    waf.update_web_acl(
        Name=NAMES.web_acl, Scope="REGIONAL", Id=acl["WebACL"]["Id"], LockToken=acl["LockToken"], DefaultAction={"Allow": {}},
        Rules=rules, VisibilityConfig=acl["WebACL"]["VisibilityConfig"],
    )

    plan = deploy.plan(new_context(), settings, artifacts)
    assert sorted(c.resource for c in plan.changes) == ["api_stage", "audit_dlq", "audit_log_group", "function_audit", "web_acl"]
    assert all(c.action == "update" for c in plan.changes)
    deploy.deploy(new_context(), settings, artifacts)
    assert client("sqs").get_queue_attributes(QueueUrl=outputs["AuditDlqUrl"], AttributeNames=["MessageRetentionPeriod"])["Attributes"]["MessageRetentionPeriod"] == "1209600"
    assert client("lambda").get_function(FunctionName=NAMES.function("audit"))["Configuration"]["MemorySize"] == 256
    assert deploy.deploy(new_context(), settings, artifacts).api_calls["write"] == 0


def test_existing_secret_material_is_never_overwritten(deployed, new_context, settings, artifacts):
    secrets = client("secretsmanager")
    document = json.loads(secrets.get_secret_value(SecretId=NAMES.secret)["SecretString"])
    document["stripe"] = {"secrets": ["whsec_operatorchosen"]}
    del document["github"]
    secrets.put_secret_value(SecretId=NAMES.secret, SecretString=json.dumps(document))
    plan = deploy.plan(new_context(), settings, artifacts)
    assert [(c.resource, [d.property for d in c.details]) for c in plan.changes] == [("secret", ["material"])]
    deploy.deploy(new_context(), settings, artifacts)
    after = json.loads(secrets.get_secret_value(SecretId=NAMES.secret)["SecretString"])
    assert after["stripe"] == {"secrets": ["whsec_operatorchosen"]} and after["github"]["secrets"]
    assert after["shopify"] == document["shopify"]


def test_protected_env_gets_no_generated_material(new_context, artifacts, tmp_path, monkeypatch):
    from webhookctl.config import load_settings

    monkeypatch.chdir(tmp_path)
    prod = load_settings("prod")
    deploy.deploy(new_context(), prod, artifacts)
    secrets = client("secretsmanager")
    name = Names("webhookctl", "prod").secret
    with pytest.raises(secrets.exceptions.ResourceNotFoundException):
        secrets.get_secret_value(SecretId=name)
    with pytest.raises(Exception, match="protected"):
        teardown.teardown(new_context(), prod)
    result = teardown.teardown(new_context(), prod, force=True)
    assert result.remaining == []


def test_down_removes_everything_and_then_reports_not_deployed(deployed, new_context, settings):
    result = teardown.teardown(new_context(), settings)
    assert result.remaining == []
    assert len(result.deleted) == 33
    kms = client("kms")
    key = kms.describe_key(KeyId=deployed.outputs["KmsKeyArn"].rsplit("/", 1)[-1])["KeyMetadata"]
    assert key["KeyState"] == "PendingDeletion"
    assert not kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
    assert client("lambda").list_functions()["Functions"] == []
    assert client("logs").describe_log_groups()["logGroups"] == []
    assert client("secretsmanager").list_secrets()["SecretList"] == []
    with pytest.raises(NotDeployedError):
        teardown.teardown(new_context(), settings)


def test_up_after_down_recreates_the_env(deployed, new_context, settings, artifacts):
    teardown.teardown(new_context(), settings)
    again = deploy.deploy(new_context(), settings, artifacts)
    assert again.summary["create"] == 33
    assert again.outputs["KmsKeyArn"] != deployed.outputs["KmsKeyArn"]
    assert deploy.deploy(new_context(), settings, artifacts).api_calls["write"] == 0


def test_remaining_is_found_through_the_tagging_api(deployed, new_context, settings):
    # A queue of this env that discovery does not know by name still shows up as remaining.
    client("sqs").create_queue(QueueName="webhookctl-stray-dev", tags={"webhookctl:env": "dev", "webhookctl:app": "webhookctl"})
    result = teardown.teardown(new_context(), settings)
    assert [r["physical"] for r in result.remaining] == [f"arn:aws:sqs:{REGION}:123456789012:webhookctl-stray-dev"]
