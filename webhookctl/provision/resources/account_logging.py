"""API Gateway's account-level CloudWatch role ([api] create_account_logging_role = true).

The role is trusted by apigateway.amazonaws.com and carries the AWS-managed
AmazonAPIGatewayPushToCloudWatchLogs policy; UpdateAccount sets it as the region's
cloudWatchRoleArn (API Gateway Developer Guide, "Set up CloudWatch logging for REST APIs").
It is account state shared by every API of the region: `down` never removes it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision import policies
from webhookctl.provision.models import AccountLoggingRole
from webhookctl.provision.resources.base import Difference, Observed, tag_list
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[AccountLoggingRole]:
    """Only when access logs are on and the env is to set the account's role ([api] create_account_logging_role)."""
    if not (settings.api_access_logs and settings.api_create_account_logging_role):
        return []
    return [
        AccountLoggingRole(
            name="account_logging_role",
            role_name=names.account_logging_role,
            assume_role_policy=policies.api_gateway_logging_trust_policy(),
            managed_policy_arn=policies.api_gateway_logging_policy_arn(deployment.partition),
            tags=names.account_tags(),
        )
    ]


# Discovery reads the account setting alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: AccountLoggingRole) -> Observed | None:
    """Any role the account already has is kept: the setting belongs to the account, not to this env."""
    arn = target.client("apigateway").get_account().get("cloudwatchRoleArn")
    if not arn:
        return None
    return Observed(outputs={"arn": arn}, state={"account_wide": True})


def diff(target: Any, model: AccountLoggingRole, observed: Observed) -> list[Difference]:
    return []


def create(target: Any, model: AccountLoggingRole) -> dict[str, Any]:
    iam = target.client("iam")
    try:
        arn = iam.create_role(
            RoleName=model.role_name,
            AssumeRolePolicyDocument=json.dumps(model.assume_role_policy),
            Description="API Gateway pushes access and execution logs to CloudWatch Logs (account setting)",
            Tags=tag_list(model.tags),
        )["Role"]["Arn"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityAlreadyExists":  # made for another region already
            raise
        arn = iam.get_role(RoleName=model.role_name)["Role"]["Arn"]
    iam.attach_role_policy(RoleName=model.role_name, PolicyArn=model.managed_policy_arn)
    # Until the new role and its policy propagate, API Gateway answers "The role ARN does not have required permissions".
    retry_on_propagation(
        lambda: target.client("apigateway").update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}])
    )
    return {"arn": arn}


def update(target: Any, model: AccountLoggingRole, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    return dict(observed.outputs)


def delete(target: Any, model: AccountLoggingRole, observed: Observed) -> None:
    """Never: other APIs of the account log through the same setting."""
