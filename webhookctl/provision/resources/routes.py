"""The webhook route: a resource path, one method, and its Lambda proxy integration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.names import STAGE_NAME
from webhookctl.provision.models import ApiRoutes
from webhookctl.provision.references import UNKNOWN, Ref
from webhookctl.provision.resources import functions
from webhookctl.provision.resources.base import Difference, Observed, compare, is_not_found

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def _parts(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


def _path_params(path: str) -> dict[str, bool]:
    return {f"method.request.path.{p[1:-1]}": True for p in _parts(path) if p.startswith("{") and p.endswith("}")}


def _resources(client: Any, api_id: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("get_resources").paginate(restApiId=api_id):
        found.update({item["path"]: item for item in page.get("items", [])})
    return found


WEBHOOK_PATH = "/webhook/{provider}"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[ApiRoutes]:
    receiver_arn = deployment.arns(names, kms_key_arn="*").functions["receiver"]
    return [
        ApiRoutes(
            name="api_routes",
            rest_api_id=Ref("rest_api", "id"),
            root_resource_id=Ref("rest_api", "root_resource_id"),
            path=WEBHOOK_PATH,
            http_method="POST",
            integration_uri=f"arn:{deployment.partition}:apigateway:{deployment.region}:lambda:path/2015-03-31/functions/{receiver_arn}/invocations",
            stage_name=STAGE_NAME,
            depends_on=(functions.logical_name("receiver"),),
        )
    ]


# Discovery reads the API's id: it waits for that resource to be discovered.
DISCOVERED_FROM: tuple[str, ...] = ("rest_api_id",)


def discover(target: Any, model: ApiRoutes) -> Observed | None:
    if model.rest_api_id is UNKNOWN:
        return None
    client = target.client("apigateway")
    try:
        resources = _resources(client, model.rest_api_id)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    leaf = resources.get(model.path)
    method = integration = None
    if leaf is not None:
        try:
            method = client.get_method(restApiId=model.rest_api_id, resourceId=leaf["id"], httpMethod=model.http_method)
            integration = method.get("methodIntegration") or client.get_integration(
                restApiId=model.rest_api_id, resourceId=leaf["id"], httpMethod=model.http_method
            )
        except ClientError as exc:
            if not is_not_found(exc):
                raise
    if len(resources) <= 1 and method is None:
        return None  # only the root resource: nothing of the route exists yet
    return Observed(
        outputs={"fingerprint": model.fingerprint, "resource_id": leaf["id"] if leaf else None},
        state={
            "paths": {path: item["id"] for path, item in resources.items()},
            "method": None if method is None else {"authorization": method.get("authorizationType"), "parameters": method.get("requestParameters") or {}},
            "integration": None
            if not integration
            else {"type": integration.get("type"), "http_method": integration.get("httpMethod"), "uri": integration.get("uri")},
        },
    )


def _want_method(model: ApiRoutes) -> dict[str, Any]:
    return {"authorization": "NONE", "parameters": _path_params(model.path)}


def _want_integration(model: ApiRoutes) -> dict[str, Any]:
    return {"type": "AWS_PROXY", "http_method": "POST", "uri": model.integration_uri}


def diff(target: Any, model: ApiRoutes, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "path", model.path if model.path in observed.state["paths"] else None, model.path)
    compare(differences, "method", observed.state["method"], _want_method(model))
    compare(differences, "integration", observed.state["integration"], _want_integration(model))
    return differences


def _ensure(target: Any, model: ApiRoutes, observed: Observed | None) -> str:
    """Create whatever part of the route is missing or different; return the leaf resource id."""
    client = target.client("apigateway")
    api_id = model.rest_api_id
    if observed is not None:
        paths = dict(observed.state["paths"])
    elif isinstance(model.root_resource_id, str):
        paths = {"/": model.root_resource_id}  # nothing of the route was found: the API has only its root
    else:
        paths = {p: i["id"] for p, i in _resources(client, api_id).items()}
    parent = paths["/"]
    current = ""
    for part in _parts(model.path):
        current = f"{current}/{part}"
        if current not in paths:
            paths[current] = client.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]
        parent = paths[current]
    leaf = parent
    if observed is None or observed.state["method"] != _want_method(model):
        if observed is not None and observed.state["method"] is not None:
            client.delete_method(restApiId=api_id, resourceId=leaf, httpMethod=model.http_method)
        client.put_method(
            restApiId=api_id, resourceId=leaf, httpMethod=model.http_method, authorizationType="NONE", requestParameters=_path_params(model.path)
        )
        observed = None  # a new method has no integration
    if observed is None or observed.state["integration"] != _want_integration(model):
        client.put_integration(
            restApiId=api_id,
            resourceId=leaf,
            httpMethod=model.http_method,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=model.integration_uri,
        )
    return leaf


def create(target: Any, model: ApiRoutes) -> dict[str, Any]:
    leaf = _ensure(target, model, None)
    return {"fingerprint": model.fingerprint, "resource_id": leaf}


def update(target: Any, model: ApiRoutes, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    leaf = _ensure(target, model, observed)
    _redeploy_live_stage(target, model)
    return {"fingerprint": model.fingerprint, "resource_id": leaf}


def _redeploy_live_stage(target: Any, model: ApiRoutes) -> None:
    """A stage serves a snapshot: after fixing a route that was live, deploy again."""
    client = target.client("apigateway")
    try:
        client.get_stage(restApiId=model.rest_api_id, stageName=model.stage_name)
    except ClientError as exc:
        if is_not_found(exc):
            return
        raise
    client.create_deployment(restApiId=model.rest_api_id, stageName=model.stage_name, description=deployment_description(model))


def deployment_description(model: ApiRoutes) -> str:
    return f"webhookctl routes {model.fingerprint}"


def delete(target: Any, model: ApiRoutes, observed: Observed) -> None:
    """Routes go with their API; deleting the API removes them."""
