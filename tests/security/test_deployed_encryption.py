"""Every at-rest store of a deployed env is encrypted with the env's own customer-managed key (read back from each service)."""

from __future__ import annotations

import pytest

from webhookctl.config import FUNCTIONS
from webhookctl.names import Names

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def env_key(secured_env) -> str:
    """The env's CMK: the key its alias names, customer-managed and enabled; the outputs agree."""
    kms = secured_env.client("kms")
    names = Names("webhookctl", secured_env.env)
    metadata = kms.describe_key(KeyId=names.kms_alias)["KeyMetadata"]
    assert metadata["KeyManager"] == "CUSTOMER" and metadata["KeyState"] == "Enabled", metadata
    assert secured_env.outputs["KmsKeyArn"] == metadata["Arn"]
    return metadata["Arn"]


def key_arn(secured_env, key_id: str | None) -> str | None:
    """A key id, alias or ARN as a service reports it, resolved to the key's ARN."""
    if not key_id:
        return None
    return secured_env.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def test_table(secured_env, env_key):
    table = secured_env.client("dynamodb").describe_table(TableName=secured_env.outputs["EventsTableName"])["Table"]
    sse = table.get("SSEDescription", {})
    assert sse.get("Status") == "ENABLED" and sse.get("SSEType") == "KMS", sse
    assert key_arn(secured_env, sse.get("KMSMasterKeyArn")) == env_key


@pytest.mark.parametrize("queue", ["ProcessorDlqUrl", "AuditDlqUrl"])
def test_queues(secured_env, env_key, queue):
    attributes = secured_env.client("sqs").get_queue_attributes(QueueUrl=secured_env.outputs[queue], AttributeNames=["All"])["Attributes"]
    assert key_arn(secured_env, attributes.get("KmsMasterKeyId")) == env_key, attributes


def test_topic(secured_env, env_key):
    attributes = secured_env.client("sns").get_topic_attributes(TopicArn=secured_env.outputs["AlertsTopicArn"])["Attributes"]
    assert key_arn(secured_env, attributes.get("KmsMasterKeyId")) == env_key, attributes


def test_every_log_group_of_the_env(secured_env, env_key):
    names = Names("webhookctl", secured_env.env)
    expected = {names.function_log_group(key) for key in FUNCTIONS} | {names.audit_log_group, names.api_access_log_group}
    logs = secured_env.client("logs")
    groups = [g for page in logs.get_paginator("describe_log_groups").paginate() for g in page["logGroups"] if g["logGroupName"].endswith(f"-{secured_env.env}")]
    assert expected <= {g["logGroupName"] for g in groups}
    unencrypted = {g["logGroupName"]: g.get("kmsKeyId") for g in groups if key_arn(secured_env, g.get("kmsKeyId")) != env_key}
    assert unencrypted == {}


def test_secret(secured_env, env_key):
    described = secured_env.client("secretsmanager").describe_secret(SecretId=secured_env.outputs["ProviderSecretArn"])
    assert key_arn(secured_env, described.get("KmsKeyId")) == env_key


@pytest.mark.parametrize("key", FUNCTIONS)
def test_lambda_environment(secured_env, env_key, key):
    name = secured_env.outputs[f"{key.capitalize()}FunctionName"]
    configuration = secured_env.client("lambda").get_function_configuration(FunctionName=name)
    assert configuration.get("Environment", {}).get("Variables"), "nothing to encrypt: the check would be vacuous"
    assert key_arn(secured_env, configuration.get("KMSKeyArn")) == env_key
