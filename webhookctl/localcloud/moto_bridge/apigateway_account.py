"""API Gateway's account setting in moto's backends: the CloudWatch role the local cloud starts with."""

from __future__ import annotations

from moto.apigateway.models import apigateway_backends
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition


def seed_logging_role(account_id: str, region: str, role_name: str, trust_policy: str) -> str | None:
    """Create the role (once per account) and set it for the region, unless the region has one."""
    account = apigateway_backends[account_id][region].account
    if account.cloudwatch_role_arn:
        return account.cloudwatch_role_arn
    iam = iam_backends[account_id][get_partition(region)]  # IAM: one backend per account and partition
    role = next((r for r in iam.roles.values() if r.name == role_name), None)
    if role is None:
        role = iam.create_role(
            role_name=role_name,
            assume_role_policy_document=trust_policy,
            path="/",
            permissions_boundary=None,
            description="API Gateway pushes logs to CloudWatch Logs (the local cloud's account setting)",
            tags=[],
            max_session_duration=None,
        )
    account.cloudwatch_role_arn = role.arn
    return role.arn
