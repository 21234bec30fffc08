"""The IAM policies as deployed (read back from IAM, not the templates): least privilege and a clean parliament lint."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from tests.provision.test_policies import _known, lint  # one home for the lint and its documented exception
from webhookctl.config import FUNCTIONS
from webhookctl.names import TAG_ENV, Names

pytestmark = pytest.mark.e2e

XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# Actions with no resource type in the Service Authorization Reference: "*" is their only resource.
STAR_ONLY = XRAY | {"dynamodb:ListStreams"}
REGION = "us-east-1"  # the local cloud's region in these suites


def as_list(value: Any) -> list:
    return [value] if isinstance(value, (str, dict)) else list(value)


def as_document(value: Any) -> dict:
    """IAM hands documents back URL-encoded (boto3 usually decodes them already)."""
    return value if isinstance(value, dict) else json.loads(urllib.parse.unquote(value))


def env_roles(secured_env) -> dict[str, dict[str, Any]]:
    """role name -> {"trust": doc, "policies": {label: doc}} for every role tagged with the env."""
    iam = secured_env.client("iam")
    roles: dict[str, dict[str, Any]] = {}
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
            if tags.get(TAG_ENV) != secured_env.env:
                continue
            policies = {
                f"inline {policy}": as_document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
                for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
            }
            for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
                document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]
                policies[f"attached {attached['PolicyArn']}"] = as_document(document)
            trust = as_document(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])
            roles[name] = {"trust": trust, "policies": policies}
    return roles


@pytest.fixture(scope="module")
def roles(secured_env) -> dict[str, dict[str, Any]]:
    found = env_roles(secured_env)
    names = Names("webhookctl", secured_env.env)
    assert {names.role(key, REGION) for key in FUNCTIONS} <= set(found), sorted(found)
    return found


def function_key(role_name: str, env: str) -> str:
    """webhookctl-receiver-role-sec-use1 -> receiver (the lint's documented exceptions are per function)."""
    return next(key for key in FUNCTIONS if role_name == Names("webhookctl", env).role(key, REGION))


def test_every_deployed_role_has_a_permission_policy(roles):
    for name, role in roles.items():
        assert role["policies"], f"{name} has no policy"


def test_no_star_action_and_star_resource_only_for_actions_without_resource_types(roles):
    problems = []
    for name, role in roles.items():
        for label, document in role["policies"].items():
            for statement in as_list(document["Statement"]):
                where = f"{name} {label} {statement.get('Sid', '')}".strip()
                if "NotAction" in statement or "NotResource" in statement:
                    problems.append(f"{where}: NotAction/NotResource grants everything else")
                    continue
                actions, resources = as_list(statement["Action"]), as_list(statement["Resource"])
                problems += [f"{where}: wildcard action {a!r}" for a in actions if "*" in a]
                if "*" in resources and not set(actions) <= STAR_ONLY:
                    problems.append(f"{where}: resource '*' for {sorted(set(actions) - STAR_ONLY)}")
    assert problems == []


def test_deployed_policies_have_no_medium_or_worse_parliament_findings(roles, secured_env):
    findings = []
    for name, role in roles.items():
        key = function_key(name, secured_env.env)
        for label, document in role["policies"].items():
            findings += [(name, label, f.issue, f.severity, f.detail) for f in lint(document) if not _known(key, f)]
    assert findings == []


def test_roles_trust_only_lambda(roles):
    for name, role in roles.items():
        (statement,) = as_list(role["trust"]["Statement"])
        assert statement["Effect"] == "Allow", name
        assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}, name
        assert as_list(statement["Action"]) == ["sts:AssumeRole"], name


def test_deployed_key_policy_has_no_medium_or_worse_parliament_findings(secured_env):
    kms = secured_env.client("kms")
    document = json.loads(kms.get_key_policy(KeyId=secured_env.outputs["KmsKeyArn"].rsplit("/", 1)[-1], PolicyName="default")["Policy"])
    assert [(f.issue, f.severity, f.detail) for f in lint(document, ignore_private_auditors=True)] == []


def test_only_api_gateway_of_this_api_may_invoke_the_receiver(secured_env):
    outputs = secured_env.outputs
    policy = json.loads(secured_env.client("lambda").get_policy(FunctionName=outputs["ReceiverFunctionName"])["Policy"])
    for statement in policy["Statement"]:
        assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}, statement
        source = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
        assert f":{outputs['ApiId']}/" in source, source
