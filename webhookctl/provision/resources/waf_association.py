"""The link between the web ACL and the API stage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import WebAclAssociation
from webhookctl.provision.references import UNKNOWN, Ref
from webhookctl.provision.resources.base import Difference, Observed, compare, ignore_missing, is_not_found
from webhookctl.provision.resources.waf import GONE
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[WebAclAssociation]:
    return [WebAclAssociation(name="web_acl_association", web_acl_arn=Ref("web_acl", "arn"), resource_arn=Ref("api_stage", "arn"))]


# Discovery reads the stage's ARN: it waits for that resource to be discovered.
DISCOVERED_FROM: tuple[str, ...] = ("resource_arn",)


def discover(target: Any, model: WebAclAssociation) -> Observed | None:
    if model.resource_arn is UNKNOWN:
        return None
    try:
        found = target.client("wafv2").get_web_acl_for_resource(ResourceArn=model.resource_arn).get("WebACL")
    except ClientError as exc:
        if is_not_found(exc, *GONE):
            return None
        raise
    if not found:
        return None
    return Observed(outputs={"resource_arn": model.resource_arn}, state={"web_acl_arn": found["ARN"]})


def diff(target: Any, model: WebAclAssociation, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "web_acl_arn", observed.state["web_acl_arn"], model.web_acl_arn)
    return differences


def create(target: Any, model: WebAclAssociation) -> dict[str, Any]:
    client = target.client("wafv2")
    # A stage just created can be "unavailable" to WAF for a few seconds.
    retry_on_propagation(lambda: client.associate_web_acl(WebACLArn=model.web_acl_arn, ResourceArn=model.resource_arn))
    return {"resource_arn": model.resource_arn}


def update(target: Any, model: WebAclAssociation, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    return create(target, model)


def delete(target: Any, model: WebAclAssociation, observed: Observed) -> None:
    ignore_missing(lambda: target.client("wafv2").disassociate_web_acl(ResourceArn=observed.outputs["resource_arn"]), *GONE)
