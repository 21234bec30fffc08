"""What AWS does and moto does not, reproduced on moto (in process): findings F1, F5, F6, F12 of the review."""

from __future__ import annotations

import dataclasses

import boto3
import pytest
from botocore.exceptions import ClientError

from webhookctl.names import Names
from webhookctl.provision import deploy, teardown
from webhookctl.provision.apply import ApplyError

NAMES = Names("webhookctl", "dev")


def client(service: str, region: str = "us-east-1"):
    return boto3.client(service, region_name=region)


def test_a_refused_access_log_patch_leaves_the_stage_throttled_and_behind_waf(new_context, settings, artifacts):
    # AWS refuses access logging without the account's CloudWatch role (API Gateway Developer Guide,
    # "Set up CloudWatch logging for REST APIs"); moto does not, so the refusal is played here.
    ctx = new_context()

    def refuse(params, **_):
        if any("accessLogSettings" in op["path"] for op in params.get("patchOperations", [])):
            raise ClientError({"Error": {"Code": "BadRequestException", "Message": "CloudWatch Logs role ARN must be set in account settings to enable logging"}}, "UpdateStage")

    ctx.session.events.register("before-parameter-build.api-gateway.UpdateStage", refuse)
    with pytest.raises(ApplyError) as failure:
        deploy.deploy(ctx, settings, artifacts)
    assert failure.value.change.resource == "api_access_logging"
    api_id = client("apigateway").get_rest_apis()["items"][0]["id"]
    stage = client("apigateway").get_stage(restApiId=api_id, stageName="live")
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 1000 and stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 2000
    acl = client("wafv2").get_web_acl_for_resource(ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/live")["WebACL"]
    assert acl["Name"] == NAMES.web_acl
    ctx.session.events.unregister("before-parameter-build.api-gateway.UpdateStage", refuse)
    deploy.deploy(new_context(), settings, artifacts)  # the next `up` continues where it stopped
    assert client("apigateway").get_stage(restApiId=api_id, stageName="live")["accessLogSettings"]["destinationArn"]


def test_one_env_in_two_regions_shares_no_role_and_down_leaves_the_other(new_context, settings, artifacts):
    # IAM is global, roles are not regional (IAM User Guide): the region is in the name.
    import boto3 as b3

    from webhookctl.aws import AwsContext

    east = deploy.deploy(new_context(), settings, artifacts)
    west_ctx = AwsContext(session=b3.Session(), region="eu-west-1", target="endpoint", endpoint_url=None)
    west_settings = dataclasses.replace(settings, region="eu-west-1")
    deploy.deploy(west_ctx, west_settings, artifacts)
    iam = client("iam")
    for key in ("receiver", "processor", "audit"):
        east_role, west_role = NAMES.role(key, "us-east-1"), NAMES.role(key, "eu-west-1")
        assert east_role != west_role
        east_policy = str(iam.get_role_policy(RoleName=east_role, PolicyName=f"webhookctl-{key}")["PolicyDocument"])
        assert ":us-east-1:" in east_policy and ":eu-west-1:" not in east_policy
    teardown.teardown(AwsContext(session=b3.Session(), region="eu-west-1", target="endpoint", endpoint_url=None), west_settings)
    for key in ("receiver", "processor", "audit"):
        assert iam.get_role(RoleName=NAMES.role(key, "us-east-1"))["Role"]
        role_arn = client("lambda").get_function(FunctionName=NAMES.function(key))["Configuration"]["Role"]
        assert role_arn.endswith(NAMES.role(key, "us-east-1"))
    assert deploy.deploy(new_context(), settings, artifacts).api_calls["write"] == 0
    assert east.outputs["KmsKeyArn"]


def test_protected_env_down_then_up_takes_back_its_key_so_the_restored_secret_decrypts(new_context, artifacts, tmp_path, monkeypatch):
    # A secret restored within its 30-day recovery window stays encrypted under its old key (Secrets
    # Manager User Guide, "Change the encryption key for a secret"): that key must outlive the window
    # and come back, not be replaced.
    from webhookctl.config import load_settings

    monkeypatch.chdir(tmp_path)
    prod = load_settings("prod")
    first = deploy.deploy(new_context(), prod, artifacts)
    key_arn = first.outputs["KmsKeyArn"]
    teardown.teardown(new_context(), prod, force=True)
    kms = client("kms")
    metadata = kms.describe_key(KeyId=key_arn.rsplit("/", 1)[-1])["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    import datetime

    window = metadata["DeletionDate"] - datetime.datetime.now(datetime.timezone.utc)
    assert window.days >= 29, metadata["DeletionDate"]  # at least the secret's 30-day recovery window (was 7)

    again = deploy.deploy(new_context(), prod, artifacts)
    assert again.outputs["KmsKeyArn"] == key_arn
    assert kms.describe_key(KeyId=key_arn.rsplit("/", 1)[-1])["KeyMetadata"]["KeyState"] == "Enabled"
    assert client("secretsmanager").describe_secret(SecretId=Names("webhookctl", "prod").secret)["KmsKeyId"] == key_arn
    assert deploy.deploy(new_context(), prod, artifacts).api_calls["write"] == 0


def test_a_ttl_attribute_change_is_made_in_the_two_steps_dynamodb_accepts(new_context, settings, artifacts):
    # DynamoDB refuses a second UpdateTimeToLive within about an hour, and enabling one attribute while
    # another is enabled (aws/aws-cdk PR #13720); moto accepts both, so the calls are counted.
    deploy.deploy(new_context(), settings, artifacts)
    ddb = client("dynamodb")
    ddb.update_time_to_live(TableName=NAMES.table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at"})
    ddb.update_time_to_live(TableName=NAMES.table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
    ctx = new_context()
    step_one = deploy.deploy(ctx, settings, artifacts)
    assert ctx.counter.by_operation.get("dynamodb:UpdateTimeToLive") == 1
    assert ddb.describe_time_to_live(TableName=NAMES.table)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert any("step 1 of 2" in note for note in step_one.notes)
    ctx = new_context()
    deploy.deploy(ctx, settings, artifacts)
    assert ctx.counter.by_operation.get("dynamodb:UpdateTimeToLive") == 1
    ttl = ddb.describe_time_to_live(TableName=NAMES.table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
