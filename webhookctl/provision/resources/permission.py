"""A resource-policy statement letting one API (and only it) invoke a function."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import LambdaPermission
from webhookctl.provision.references import Ref
from webhookctl.provision.resources import functions
from webhookctl.provision.resources.base import Difference, Observed, compare, ignore_missing, is_not_found

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[LambdaPermission]:
    return [
        LambdaPermission(
            name="receiver_api_permission",
            function_name=names.function("receiver"),
            statement_id="webhookctl-api-invoke",
            principal="apigateway.amazonaws.com",
            source_arn=Ref("rest_api", "execute_arn", "/*/POST/webhook/*"),
            depends_on=(functions.logical_name("receiver"),),
        )
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: LambdaPermission) -> Observed | None:
    client = target.client("lambda")
    try:
        policy = json.loads(client.get_policy(FunctionName=model.function_name)["Policy"])
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    statement = next((s for s in policy.get("Statement", []) if s.get("Sid") == model.statement_id), None)
    if statement is None:
        return None
    principal = statement.get("Principal", {})
    return Observed(
        outputs={"statement_id": model.statement_id},
        state={
            "principal": principal.get("Service") if isinstance(principal, dict) else principal,
            "action": statement.get("Action"),
            "source_arn": (statement.get("Condition", {}).get("ArnLike") or {}).get("AWS:SourceArn"),
        },
    )


def diff(target: Any, model: LambdaPermission, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "principal", observed.state["principal"], model.principal)
    compare(differences, "action", observed.state["action"], "lambda:InvokeFunction")
    compare(differences, "source_arn", observed.state["source_arn"], model.source_arn)
    return differences


def create(target: Any, model: LambdaPermission) -> dict[str, Any]:
    target.client("lambda").add_permission(
        FunctionName=model.function_name,
        StatementId=model.statement_id,
        Action="lambda:InvokeFunction",
        Principal=model.principal,
        SourceArn=model.source_arn,
    )
    return {"statement_id": model.statement_id}


def update(target: Any, model: LambdaPermission, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    delete(target, model, observed)
    return create(target, model)


def delete(target: Any, model: LambdaPermission, observed: Observed) -> None:
    ignore_missing(lambda: target.client("lambda").remove_permission(FunctionName=model.function_name, StatementId=model.statement_id))
