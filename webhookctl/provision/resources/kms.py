"""The env's customer-managed KMS key: rotation, alias, key policy, tags."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision import policies
from webhookctl.provision.models import KmsKey
from webhookctl.provision.references import Ref
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found, tag_dict, tag_list
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment

PENDING_WINDOW_DAYS = 7  # AWS's minimum; protected envs wait as long as their secret stays recoverable
# States of a key `up` can bring back (cancel deletion, enable) rather than replace with a new key.
RECOVERABLE_STATES = ("Enabled", "Disabled", "PendingDeletion")


KEY_ARN = Ref("kms_key", "arn")  # everything of the env is encrypted with this key
PROTECTED_SECRET_RECOVERY_DAYS = 30  # a protected env's deleted secret stays recoverable this long


def pending_window_days(settings: Settings) -> int:
    """A protected env's key outlives its deleted secret's recovery window, so a restored secret still decrypts."""
    return PROTECTED_SECRET_RECOVERY_DAYS if settings.protected else PENDING_WINDOW_DAYS


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[KmsKey]:
    return [
        KmsKey(
            name="kms_key",
            alias=names.kms_alias,
            description=f"{settings.prefix} {settings.env}: encrypts the table, queues, topic, logs, secret and Lambda environment",
            policy=policies.kms_key_policy(deployment.arns(names, kms_key_arn="*")),
            tags=names.tags(),
            pending_window_days=pending_window_days(settings),
            rescue_pending_deletion=settings.protected,
        )
    ]


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
            "pending_deletion": metadata.get("KeyState") == "PendingDeletion",  # `down` is done with it
            "description": metadata.get("Description", ""),
            "rotation": rotation,
            "policy": policy,
            "tags": tags,
        },
    )


def _orphan_key(target: Any, model: KmsKey) -> dict | None:
    """A key of this env without its alias: a create interrupted after CreateKey, or a key `down` scheduled for deletion.

    Keys are listed by ListKeys and their tags read by ListResourceTags: the tagging API lags by
    minutes, so an `up` run again right after a failure would not see the key it just made.
    In a protected env a key pending deletion is taken back, so the secret restored with it still decrypts.
    """
    kms = target.client("kms")
    found: list[dict] = []
    for page in kms.get_paginator("list_keys").paginate():
        for key in page.get("Keys", []):
            if not _tagged_for(kms, key["KeyId"], model.tags):
                continue
            metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            states = RECOVERABLE_STATES if model.rescue_pending_deletion else ("Enabled",)
            if metadata.get("KeyManager", "CUSTOMER") == "CUSTOMER" and metadata.get("KeyState") in states:
                found.append(metadata)
    # An enabled key first, then the newest.
    found.sort(key=lambda m: (m.get("KeyState") != "Enabled", -_created(m)))
    return found[0] if found else None


def _tagged_for(kms: Any, key_id: str, tags: dict[str, str]) -> bool:
    try:
        have = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id).get("Tags", [])}
    except ClientError as exc:
        if is_not_found(exc) or exc.response["Error"]["Code"] == "AccessDeniedException":  # AWS-managed or another's key
            return False
        raise
    return all(have.get(k) == v for k, v in tags.items())


def _created(metadata: dict) -> float:
    created = metadata.get("CreationDate")
    return created.timestamp() if hasattr(created, "timestamp") else float(created or 0)


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
    # KMS itself may answer NotFound or InvalidState for a key made a moment ago.
    retry_on_propagation(lambda: kms.enable_key_rotation(KeyId=metadata["KeyId"]), key_just_created=True)
    retry_on_propagation(lambda: kms.create_alias(AliasName=model.alias, TargetKeyId=metadata["KeyId"]), key_just_created=True)
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
        schedule_deletion(target, observed.outputs["key_id"], model.pending_window_days)


def schedule_deletion(target: Any, key_id: str, pending_window_days: int = PENDING_WINDOW_DAYS) -> None:
    """Schedule a key for deletion by key id (moto fails ScheduleKeyDeletion given a key ARN)."""
    kms = target.client("kms")
    try:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=pending_window_days)
    except ClientError as exc:
        if not (is_not_found(exc) or "pending deletion" in str(exc).lower() or exc.response["Error"]["Code"] == "KMSInvalidStateException"):
            raise
