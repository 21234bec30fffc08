"""The stage's access-log settings: set last, after throttling and the WAF association.

AWS refuses them (BadRequestException "CloudWatch Logs role ARN must be set in account settings
to enable logging") until the account's API Gateway CloudWatch role is set in the region (API Gateway
Developer Guide, "Set up CloudWatch logging for REST APIs"). Kept apart from the stage, such a
refusal leaves a stage that is throttled and behind its web ACL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.names import STAGE_NAME
from webhookctl.provision.models import StageAccessLogging
from webhookctl.provision.references import UNKNOWN, Ref
from webhookctl.provision.resources import account_logging
from webhookctl.provision.resources.base import Difference, Observed, compare, is_not_found
from webhookctl.provision.resources.stage import ACCESS_LOG_FORMAT

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[StageAccessLogging]:
    """Last on the stage: after throttling and the WAF association, and after the account role it needs."""
    after = ["api_stage", "web_acl_association", *(role.name for role in account_logging.desired(settings, names, deployment))]
    on = settings.api_access_logs
    return [
        StageAccessLogging(
            name="api_access_logging",
            rest_api_id=Ref("rest_api", "id"),
            stage_name=STAGE_NAME,
            destination_arn=Ref("api_access_log_group", "arn") if on else None,
            log_format=ACCESS_LOG_FORMAT if on else None,
            depends_on=tuple(after),
        )
    ]


# Discovery reads the stage of the API: it waits for the API's id.
DISCOVERED_FROM: tuple[str, ...] = ("rest_api_id",)


def discover(target: Any, model: StageAccessLogging) -> Observed | None:
    if model.rest_api_id is UNKNOWN:
        return None
    try:
        stage = target.client("apigateway").get_stage(restApiId=model.rest_api_id, stageName=model.stage_name)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    access = stage.get("accessLogSettings") or {}
    return Observed(
        outputs={"stage_name": model.stage_name},
        state={"destination_arn": access.get("destinationArn"), "log_format": access.get("format")},
    )


def diff(target: Any, model: StageAccessLogging, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "access_log_arn", observed.state["destination_arn"], model.destination_arn)
    compare(differences, "access_log_format", observed.state["log_format"], model.log_format if model.destination_arn else None)
    return differences


def patches(model: StageAccessLogging) -> list[dict[str, str]]:
    if model.destination_arn is None:
        return [{"op": "remove", "path": "/accessLogSettings"}]
    return [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": model.destination_arn},
        {"op": "replace", "path": "/accessLogSettings/format", "value": model.log_format or ""},
    ]


def create(target: Any, model: StageAccessLogging) -> dict[str, Any]:
    if model.destination_arn is not None:  # a new stage has no access logging to remove
        target.client("apigateway").update_stage(restApiId=model.rest_api_id, stageName=model.stage_name, patchOperations=patches(model))
    return {"stage_name": model.stage_name}


def update(target: Any, model: StageAccessLogging, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    target.client("apigateway").update_stage(restApiId=model.rest_api_id, stageName=model.stage_name, patchOperations=patches(model))
    return dict(observed.outputs)


def delete(target: Any, model: StageAccessLogging, observed: Observed) -> None:
    """Nothing to do: the settings go with the stage."""
