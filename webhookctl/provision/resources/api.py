"""The REST API object (regional). Created before the receiver, which needs its URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl.names import STAGE_NAME
from webhookctl.provision.models import RestApi
from webhookctl.provision.partitions import dns_suffix
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def api_url(target: Any, api_id: str, stage: str) -> str:
    """The stage's base URL: AWS's execute-api host, or the endpoint's LocalStack-style path."""
    endpoint = target.aws.endpoint_url
    if endpoint:
        return f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_"
    return f"https://{api_id}.execute-api.{target.region}.{dns_suffix(target.partition)}/{stage}"


def resource_arn(target: Any, api_id: str) -> str:
    return f"arn:{target.partition}:apigateway:{target.region}::/restapis/{api_id}"


def _outputs(target: Any, model: RestApi, api_id: str, root_resource_id: str | None) -> dict[str, Any]:
    url = api_url(target, api_id, model.stage_name)
    return {
        "id": api_id,
        "root_resource_id": root_resource_id,
        "url": url,
        "webhook_url_base": url + "/webhook/",
        "execute_arn": f"arn:{target.partition}:execute-api:{target.region}:{target.account_id}:{api_id}",
    }


def _find(target: Any, name: str) -> dict[str, Any] | None:
    client = target.client("apigateway")
    matches = []
    for page in client.get_paginator("get_rest_apis").paginate():
        matches.extend(item for item in page.get("items", []) if item.get("name") == name)
    matches.sort(key=lambda item: str(item.get("createdDate", "")))
    return matches[0] if matches else None


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[RestApi]:
    return [
        RestApi(
            name="rest_api",
            api_name=names.rest_api,
            description=f"Payment webhooks for {settings.prefix} {settings.env}",
            endpoint_type="REGIONAL",
            stage_name=STAGE_NAME,
            tags=names.tags(),
        )
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: RestApi) -> Observed | None:
    found = _find(target, model.api_name)
    if found is None:
        return None
    return Observed(
        outputs=_outputs(target, model, found["id"], found.get("rootResourceId")),
        state={
            "description": found.get("description", ""),
            "endpoint_types": (found.get("endpointConfiguration") or {}).get("types", []),
            "tags": found.get("tags", {}),
        },
    )


def diff(target: Any, model: RestApi, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "description", observed.state["description"], model.description)
    compare(differences, "endpoint_types", observed.state["endpoint_types"], [model.endpoint_type])
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def create(target: Any, model: RestApi) -> dict[str, Any]:
    created = target.client("apigateway").create_rest_api(
        name=model.api_name,
        description=model.description,
        endpointConfiguration={"types": [model.endpoint_type]},
        tags=dict(model.tags),
    )
    return _outputs(target, model, created["id"], created.get("rootResourceId"))


def update(target: Any, model: RestApi, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    client = target.client("apigateway")
    api_id = observed.outputs["id"]
    props = {d.property for d in differences}
    operations = []
    if "description" in props:
        operations.append({"op": "replace", "path": "/description", "value": model.description})
    if "endpoint_types" in props:
        for current in observed.state["endpoint_types"]:
            operations.append({"op": "replace", "path": f"/endpointConfiguration/types/{current}", "value": model.endpoint_type})
    if operations:
        client.update_rest_api(restApiId=api_id, patchOperations=operations)
    if "tags" in props:
        client.tag_resource(resourceArn=resource_arn(target, api_id), tags=dict(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: RestApi, observed: Observed) -> None:
    ignore_missing(lambda: target.client("apigateway").delete_rest_api(restApiId=observed.outputs["id"]))
