"""CloudWatch Logs groups: KMS encryption, retention, tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl.config import FUNCTIONS
from webhookctl.provision.models import LogGroup
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing
from webhookctl.provision.resources.kms import KEY_ARN
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def logical_name(key: str) -> str:
    """The log group of function `key`."""
    return f"log_group_{key}"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[LogGroup]:
    groups = [(logical_name(key), names.function_log_group(key)) for key in FUNCTIONS]
    groups += [("audit_log_group", names.audit_log_group), ("api_access_log_group", names.api_access_log_group)]
    return [
        LogGroup(name=logical, group_name=group, retention_days=settings.log_retention_days, kms_key_arn=KEY_ARN, tags=names.tags())
        for logical, group in groups
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: LogGroup) -> Observed | None:
    logs = target.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=model.group_name).get("logGroups", [])
    group = next((g for g in groups if g["logGroupName"] == model.group_name), None)
    if group is None:
        return None
    tags = logs.list_tags_log_group(logGroupName=model.group_name).get("tags", {})
    arn = group["arn"].removesuffix(":*")
    return Observed(
        outputs={"arn": arn, "name": model.group_name},
        state={"kms_key_arn": group.get("kmsKeyId"), "retention_days": group.get("retentionInDays"), "tags": tags},
    )


def diff(target: Any, model: LogGroup, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "kms_key_arn", observed.state["kms_key_arn"], model.kms_key_arn)
    compare(differences, "retention_days", observed.state["retention_days"], model.retention_days)
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def create(target: Any, model: LogGroup) -> dict[str, Any]:
    logs = target.client("logs")
    # The key is created moments before; CloudWatch Logs may not see it for a few seconds.
    retry_on_propagation(lambda: logs.create_log_group(logGroupName=model.group_name, kmsKeyId=model.kms_key_arn, tags=model.tags), key_just_created=True)
    logs.put_retention_policy(logGroupName=model.group_name, retentionInDays=model.retention_days)
    return {"arn": arn_of(target, model.group_name), "name": model.group_name}


def update(target: Any, model: LogGroup, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    logs = target.client("logs")
    props = {d.property for d in differences}
    if "kms_key_arn" in props:
        logs.associate_kms_key(logGroupName=model.group_name, kmsKeyId=model.kms_key_arn)
    if "retention_days" in props:
        logs.put_retention_policy(logGroupName=model.group_name, retentionInDays=model.retention_days)
    if "tags" in props:
        logs.tag_log_group(logGroupName=model.group_name, tags=model.tags)
    return dict(observed.outputs)


def delete(target: Any, model: LogGroup, observed: Observed) -> None:
    ignore_missing(lambda: target.client("logs").delete_log_group(logGroupName=model.group_name))


def arn_of(target: Any, name: str) -> str:
    return f"arn:{target.partition}:logs:{target.region}:{target.account_id}:log-group:{name}"
