"""One IAM role per function: Lambda trust policy and one least-privilege inline policy."""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.config import FUNCTIONS
from webhookctl.provision import policies
from webhookctl.provision.models import Role
from webhookctl.provision.references import Ref
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found, tag_list
from webhookctl.provision.resources.kms import KEY_ARN

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def _policy(document: Any) -> Any:
    """IAM returns documents as dicts or URL-encoded JSON, depending on the endpoint."""
    if isinstance(document, str):
        return json.loads(urllib.parse.unquote(document))
    return document


def logical_name(key: str) -> str:
    """The role of function `key`."""
    return f"role_{key}"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Role]:
    arns = deployment.arns(names, kms_key_arn=KEY_ARN, secret_arn=Ref("secret", "arn"))
    return [
        Role(
            name=logical_name(key),
            role_name=names.role(key, deployment.region),
            assume_role_policy=policies.assume_role_policy(),
            inline_policy_name=names.role_policy(key),
            inline_policy=policies.function_policy(key, arns),
            tags=names.tags(),
        )
        for key in FUNCTIONS
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Role) -> Observed | None:
    iam = target.client("iam")
    try:
        role = iam.get_role(RoleName=model.role_name)["Role"]
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    try:
        inline = _policy(iam.get_role_policy(RoleName=model.role_name, PolicyName=model.inline_policy_name)["PolicyDocument"])
    except ClientError as exc:
        if not is_not_found(exc):
            raise
        inline = None
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=model.role_name).get("Tags", [])}
    return Observed(
        outputs={"arn": role["Arn"], "name": model.role_name},
        state={"trust": _policy(role["AssumeRolePolicyDocument"]), "inline": inline, "tags": tags},
    )


def diff(target: Any, model: Role, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "assume_role_policy", observed.state["trust"], model.assume_role_policy)
    compare(differences, "inline_policy", observed.state["inline"], model.inline_policy)
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def create(target: Any, model: Role) -> dict[str, Any]:
    iam = target.client("iam")
    role = iam.create_role(
        RoleName=model.role_name,
        AssumeRolePolicyDocument=json.dumps(model.assume_role_policy),
        Description=f"Lambda execution role for {model.role_name}",
        Tags=tag_list(model.tags),
    )["Role"]
    iam.put_role_policy(RoleName=model.role_name, PolicyName=model.inline_policy_name, PolicyDocument=json.dumps(model.inline_policy))
    return {"arn": role["Arn"], "name": model.role_name}


def update(target: Any, model: Role, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    iam = target.client("iam")
    props = {d.property for d in differences}
    if "assume_role_policy" in props:
        iam.update_assume_role_policy(RoleName=model.role_name, PolicyDocument=json.dumps(model.assume_role_policy))
    if "inline_policy" in props:
        iam.put_role_policy(RoleName=model.role_name, PolicyName=model.inline_policy_name, PolicyDocument=json.dumps(model.inline_policy))
    if "tags" in props:
        iam.tag_role(RoleName=model.role_name, Tags=tag_list(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: Role, observed: Observed) -> None:
    iam = target.client("iam")
    for name in ignore_missing(lambda: iam.list_role_policies(RoleName=model.role_name)["PolicyNames"]) or []:
        ignore_missing(lambda name=name: iam.delete_role_policy(RoleName=model.role_name, PolicyName=name))
    attached = ignore_missing(lambda: iam.list_attached_role_policies(RoleName=model.role_name)["AttachedPolicies"]) or []
    for policy in attached:
        ignore_missing(lambda policy=policy: iam.detach_role_policy(RoleName=model.role_name, PolicyArn=policy["PolicyArn"]))
    ignore_missing(lambda: iam.delete_role(RoleName=model.role_name))
