"""The API stage and the deployment it serves: throttling and X-Ray tracing (access logs: access_logging.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.names import STAGE_NAME
from webhookctl.provision.models import Stage
from webhookctl.provision.references import UNKNOWN, Ref
from webhookctl.provision.resources import routes
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment

# CloudWatch access-log line, one JSON object per request.
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","path":"$context.path",'
    '"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength",'
    '"integrationLatency":"$context.integrationLatency","wafResponseCode":"$context.wafResponseCode",'
    '"xrayTraceId":"$context.xrayTraceId"}'
)


def stage_arn(target: Any, api_id: str, stage: str) -> str:
    return f"arn:{target.partition}:apigateway:{target.region}::/restapis/{api_id}/stages/{stage}"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Stage]:
    (route,) = routes.desired(settings, names, deployment)
    return [
        Stage(
            name="api_stage",
            rest_api_id=Ref("rest_api", "id"),
            stage_name=STAGE_NAME,
            deployment_description=routes.deployment_description(route),
            rate_limit=float(settings.api_rate_limit),
            burst_limit=settings.api_burst_limit,
            tracing_enabled=True,
            tags=names.tags(),
            depends_on=(route.name, "receiver_api_permission"),
        )
    ]


# Discovery reads the API's id: it waits for that resource to be discovered.
DISCOVERED_FROM: tuple[str, ...] = ("rest_api_id",)


def discover(target: Any, model: Stage) -> Observed | None:
    if model.rest_api_id is UNKNOWN:
        return None
    client = target.client("apigateway")
    try:
        stage = client.get_stage(restApiId=model.rest_api_id, stageName=model.stage_name)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    description = None
    if stage.get("deploymentId"):
        deployment = ignore_missing(lambda: client.get_deployment(restApiId=model.rest_api_id, deploymentId=stage["deploymentId"]))
        description = (deployment or {}).get("description")
    throttle = (stage.get("methodSettings") or {}).get("*/*", {})
    return Observed(
        outputs={"arn": stage_arn(target, model.rest_api_id, model.stage_name), "name": model.stage_name},
        state={
            "deployment": description,
            "rate_limit": throttle.get("throttlingRateLimit"),
            "burst_limit": throttle.get("throttlingBurstLimit"),
            "tracing": stage.get("tracingEnabled", False),
            "tags": stage.get("tags", {}),
        },
    )


def diff(target: Any, model: Stage, observed: Observed) -> list[Difference]:
    state = observed.state
    differences: list[Difference] = []
    compare(differences, "deployment", state["deployment"], model.deployment_description)
    compare(differences, "throttling_rate_limit", _number(state["rate_limit"]), float(model.rate_limit))
    compare(differences, "throttling_burst_limit", state["burst_limit"], model.burst_limit)
    compare(differences, "tracing", state["tracing"], model.tracing_enabled)
    compare_tags(differences, state["tags"], model.tags)
    return differences


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _patches(model: Stage, props: set[str]) -> list[dict[str, str]]:
    patches = []
    if "throttling_rate_limit" in props:
        patches.append({"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(model.rate_limit)})
    if "throttling_burst_limit" in props:
        patches.append({"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(model.burst_limit)})
    if "tracing" in props:
        patches.append({"op": "replace", "path": "/tracingEnabled", "value": "true" if model.tracing_enabled else "false"})
    return patches


def create(target: Any, model: Stage) -> dict[str, Any]:
    client = target.client("apigateway")
    deployment = client.create_deployment(restApiId=model.rest_api_id, description=model.deployment_description)
    client.create_stage(
        restApiId=model.rest_api_id,
        stageName=model.stage_name,
        deploymentId=deployment["id"],
        tracingEnabled=model.tracing_enabled,
        tags=dict(model.tags),
    )
    # Throttling alone, at once: CreateStage cannot set method settings, and nothing may run between
    # the stage going live and its throttle (a refused access-log patch would take the throttle with it).
    throttling = {"throttling_rate_limit", "throttling_burst_limit"}
    client.update_stage(restApiId=model.rest_api_id, stageName=model.stage_name, patchOperations=_patches(model, throttling))
    return {"arn": stage_arn(target, model.rest_api_id, model.stage_name), "name": model.stage_name}


def update(target: Any, model: Stage, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    client = target.client("apigateway")
    props = {d.property for d in differences}
    if "deployment" in props:
        client.create_deployment(restApiId=model.rest_api_id, stageName=model.stage_name, description=model.deployment_description)
    patches = _patches(model, props)
    if patches:
        client.update_stage(restApiId=model.rest_api_id, stageName=model.stage_name, patchOperations=patches)
    if "tags" in props:
        client.tag_resource(resourceArn=observed.outputs["arn"], tags=dict(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: Stage, observed: Observed) -> None:
    ignore_missing(lambda: target.client("apigateway").delete_stage(restApiId=model.rest_api_id, stageName=model.stage_name))
