"""The env's customer-managed KMS key: rotation, alias, key policy, tags."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import KmsKey
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, find_tagged, ignore_missing, is_not_found, tag_dict, tag_list

PENDING_WINDOW_DAYS = 7


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: KmsKey) -> Observed | None:
    kms = target.client("kms")
    alias_present = True
    try:
        metadata = kms.describe_key(KeyId=model.alias)["KeyMetadata"]
    except ClientError as exc:
        if not is_not_found(exc):
            raise
        alias_present = False
        metadata = _orphan_key(target, model)
        if metadata is None:
            return None
    key_id = metadata["KeyId"]
    rotation = kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled", False)
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    tags = tag_dict([{"Key": t["TagKey"], "Value": t["TagValue"]} for t in kms.list_resource_tags(KeyId=key_id).get("Tags", [])])
    return Observed(
        outputs={"arn": metadata["Arn"], "key_id": key_id},
        state={
            "alias_present": alias_present,
            "key_state": metadata.get("KeyState", "Enabled"),
            "description": metadata.get("Description", ""),
            "rotation": rotation,
            "policy": policy,
            "tags": tags,
        },
    )


def _orphan_key(target: Any, model: KmsKey) -> dict | None:
    """A key of this env whose alias was never created (a create interrupted after CreateKey)."""
    kms = target.client("kms")
    for arn in find_tagged(target, "kms:key", model.tags):
        metadata = kms.describe_key(KeyId=arn.rsplit("/", 1)[-1])["KeyMetadata"]
        if metadata.get("KeyState") == "Enabled":
            return metadata
    return None


def diff(target: Any, model: KmsKey, observed: Observed) -> list[Difference]:
    state = observed.state
    differences: list[Difference] = []
    compare(differences, "alias", model.alias if state["alias_present"] else None, model.alias)
    compare(differences, "key_state", state["key_state"], "Enabled")
    compare(differences, "description", state["description"], model.description)
    compare(differences, "rotation", state["rotation"], True)
    compare(differences, "policy", state["policy"], model.policy)
    compare_tags(differences, state["tags"], model.tags)
    return differences


def create(target: Any, model: KmsKey) -> dict[str, Any]:
    kms = target.client("kms")
    metadata = kms.create_key(
        Description=model.description,
        KeyUsage="ENCRYPT_DECRYPT",
        KeySpec="SYMMETRIC_DEFAULT",
        Policy=json.dumps(model.policy),
        Tags=[{"TagKey": k, "TagValue": v} for k, v in sorted(model.tags.items())],
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=metadata["KeyId"])
    kms.create_alias(AliasName=model.alias, TargetKeyId=metadata["KeyId"])
    return {"arn": metadata["Arn"], "key_id": metadata["KeyId"]}


def update(target: Any, model: KmsKey, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    kms = target.client("kms")
    key_id = observed.outputs["key_id"]
    props = {d.property for d in differences}
    if "key_state" in props:
        if observed.state["key_state"] == "PendingDeletion":
            kms.cancel_key_deletion(KeyId=key_id)
        kms.enable_key(KeyId=key_id)
    if "alias" in props:
        kms.create_alias(AliasName=model.alias, TargetKeyId=key_id)
    if "description" in props:
        kms.update_key_description(KeyId=key_id, Description=model.description)
    if "rotation" in props:
        kms.enable_key_rotation(KeyId=key_id)
    if "policy" in props:
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(model.policy))
    if "tags" in props:
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tag_list(model.tags)])
    return dict(observed.outputs)


def delete(target: Any, model: KmsKey, observed: Observed) -> None:
    kms = target.client("kms")
    if observed.state["alias_present"]:
        ignore_missing(lambda: kms.delete_alias(AliasName=model.alias))
    if observed.state["key_state"] != "PendingDeletion":
        schedule_deletion(target, observed.outputs["key_id"])


def schedule_deletion(target: Any, key_id: str) -> None:
    """Schedule a key for deletion by key id (moto fails ScheduleKeyDeletion given a key ARN)."""
    kms = target.client("kms")
    try:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=PENDING_WINDOW_DAYS)
    except ClientError as exc:
        if not (is_not_found(exc) or "pending deletion" in str(exc).lower() or exc.response["Error"]["Code"] == "KMSInvalidStateException"):
            raise
