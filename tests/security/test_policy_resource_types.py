"""Every statement of every generated role policy names only resource types its actions support.

Checked against policy_sentry's copy of AWS's Service Authorization Reference ("Actions, resources, and
condition keys for AWS services", https://docs.aws.amazon.com/service-authorization/latest/reference/),
which it ships as a local database: no network.
"""

from __future__ import annotations

import re

import pytest

from webhookctl.config import FUNCTIONS
from webhookctl.names import Names
from webhookctl.provision import policies

regex = pytest.importorskip("regex")
actions_db = pytest.importorskip("policy_sentry.querying.actions")

ARNS = policies.ResourceArns.for_env(
    Names("webhookctl", "dev"), account_id="111122223333", region="us-east-1", partition="aws",
    kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
)
F8 = "F8: dynamodb:ListStreams supports no resource type and needs Resource \"*\" (moved to its own statement by that fix)"


def statements() -> list[tuple[str, str, str, str]]:
    found = []
    for key in FUNCTIONS:
        for statement in policies.function_policy(key, ARNS)["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            found += [(key, statement["Sid"], action, resource) for action in actions for resource in resources]
    return found


def resource_formats(action: str) -> list[str]:
    service, name = action.split(":")
    data = actions_db.get_action_data(service, name)
    assert data and data.get(service), f"{action} is not in the Service Authorization Reference"
    return [entry["resource_arn_format"] for entry in data[service]]


def format_pattern(arn_format: str) -> "regex.Pattern[str]":
    """'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}' as a regex; each ${X} is any text."""
    parts = re.split(r"\$\{[^}]+\}", arn_format)
    return regex.compile(".+".join(regex.escape(part) for part in parts))


def supports(resource: str, formats: list[str]) -> bool:
    """Could the policy's resource (an ARN, maybe ending in a '*' wildcard) name a resource of one of these types?"""
    if resource == "*":
        return True
    concrete = resource.replace("?", "x")
    for arn_format in formats:
        if arn_format == "*":
            continue
        pattern = format_pattern(arn_format)
        if concrete.endswith("*"):  # some name the wildcard stands for must complete it to this type
            if pattern.fullmatch(concrete[:-1], partial=True):
                return True
        elif pattern.fullmatch(concrete):
            return True
    return False


def _cases():
    for key, sid, action, resource in statements():
        marks = [pytest.mark.xfail(strict=True, reason=F8)] if action == "dynamodb:ListStreams" and resource != "*" else []
        yield pytest.param(action, resource, id=f"{key}-{sid}-{action}", marks=marks)


@pytest.mark.parametrize(("action", "resource"), list(_cases()))
def test_statement_uses_a_resource_type_its_action_supports(action, resource):
    formats = resource_formats(action)
    if formats == ["*"]:
        assert resource == "*", f"{action} supports no resource type, so its Resource must be \"*\" (got {resource})"
    else:
        assert supports(resource, formats), f"{resource} is none of {action}'s resource types: {formats}"


def test_the_check_itself_tells_types_apart():
    assert supports("arn:aws:dynamodb:us-east-1:1:table/t/stream/*", resource_formats("dynamodb:GetRecords"))
    assert not supports("arn:aws:dynamodb:us-east-1:1:table/t", resource_formats("dynamodb:GetRecords"))
    assert supports("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*", resource_formats("logs:PutLogEvents"))
    assert not supports("arn:aws:sqs:us-east-1:1:q", resource_formats("sns:Publish"))
    assert resource_formats("xray:PutTraceSegments") == ["*"]
