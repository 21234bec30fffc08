"""The events table: on-demand, SSE with the CMK, a NEW_AND_OLD_IMAGES stream, PITR and TTL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import Table
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found, tag_list
from webhookctl.provision.resources.kms import KEY_ARN
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Table]:
    return [
        Table(
            name="table",
            table_name=names.table,
            hash_key="event_key",
            ttl_attribute="expires_at",
            stream_view_type="NEW_AND_OLD_IMAGES",
            kms_key_arn=KEY_ARN,
            point_in_time_recovery=True,
            tags=names.tags(),
        )
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Table) -> Observed | None:
    ddb = target.client("dynamodb")
    try:
        table = ddb.describe_table(TableName=model.table_name)["Table"]
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    if table.get("TableStatus") == "DELETING":
        return None
    backups = ddb.describe_continuous_backups(TableName=model.table_name)["ContinuousBackupsDescription"]
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=model.table_name).get("TimeToLiveDescription", {})
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])}
    stream = table.get("StreamSpecification") or {}
    sse = table.get("SSEDescription") or {}
    return Observed(
        outputs={"arn": table["TableArn"], "name": model.table_name, "stream_arn": table.get("LatestStreamArn")},
        state={
            "key_schema": [(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])],
            "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "stream": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
            "sse_kms_key": sse.get("KMSMasterKeyArn") if sse.get("Status") in ("ENABLED", "UPDATING") else None,
            "pitr": pitr,
            "ttl": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None,
            "ttl_status": ttl.get("TimeToLiveStatus", "DISABLED"),
            "ttl_seen": ttl.get("AttributeName"),
            "tags": tags,
        },
    )


def diff(target: Any, model: Table, observed: Observed) -> list[Difference]:
    state = observed.state
    differences: list[Difference] = []
    # The key schema cannot change in place; a mismatch is reported (apply refuses to replace data).
    compare(differences, "key_schema", state["key_schema"], [(model.hash_key, "HASH")])
    compare(differences, "billing_mode", state["billing_mode"], "PAY_PER_REQUEST")
    compare(differences, "stream", state["stream"], model.stream_view_type)
    compare(differences, "sse_kms_key", state["sse_kms_key"], model.kms_key_arn)
    compare(differences, "point_in_time_recovery", state["pitr"], model.point_in_time_recovery)
    if state.get("ttl_status") == "DISABLING":
        differences.append(Difference("ttl_attribute", f"{state.get('ttl_seen')} (disabling)", model.ttl_attribute))
    else:
        compare(differences, "ttl_attribute", state["ttl"], model.ttl_attribute)
    compare_tags(differences, state["tags"], model.tags)
    return differences


def create(target: Any, model: Table) -> dict[str, Any]:
    ddb = target.client("dynamodb")
    table = retry_on_propagation(
        lambda: ddb.create_table(
            TableName=model.table_name,
            AttributeDefinitions=[{"AttributeName": model.hash_key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": model.hash_key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": model.stream_view_type},
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": model.kms_key_arn},
            Tags=tag_list(model.tags),
        ),
        key_just_created=True,
    )["TableDescription"]
    _wait_active(ddb, model.table_name)
    _enable_ttl(ddb, model)
    _enable_pitr(ddb, model)
    return {"arn": table["TableArn"], "name": model.table_name, "stream_arn": table.get("LatestStreamArn")}


def update(target: Any, model: Table, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    from webhookctl.errors import WebhookctlError

    ddb = target.client("dynamodb")
    props = {d.property for d in differences}
    outputs = dict(observed.outputs)
    if "key_schema" in props:
        raise WebhookctlError(
            f"table {model.table_name} has a different key schema; it cannot be changed in place",
            hint="back up the data, run `webhookctl down`, then `webhookctl up`",
        )
    table_changes: dict[str, Any] = {}
    if "billing_mode" in props:
        table_changes["BillingMode"] = "PAY_PER_REQUEST"
    if "sse_kms_key" in props:
        table_changes["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": model.kms_key_arn}
    if table_changes:
        ddb.update_table(TableName=model.table_name, **table_changes)
        _wait_active(ddb, model.table_name)
    if "stream" in props:
        if observed.state["stream"] is not None:
            ddb.update_table(TableName=model.table_name, StreamSpecification={"StreamEnabled": False})
            _wait_active(ddb, model.table_name)
        table = ddb.update_table(
            TableName=model.table_name, StreamSpecification={"StreamEnabled": True, "StreamViewType": model.stream_view_type}
        )["TableDescription"]
        _wait_active(ddb, model.table_name)
        outputs["stream_arn"] = table.get("LatestStreamArn") or ddb.describe_table(TableName=model.table_name)["Table"].get("LatestStreamArn")
    if "ttl_attribute" in props:
        _change_ttl(target, ddb, model, observed.state)
    if "point_in_time_recovery" in props:
        _enable_pitr(ddb, model)
    if "tags" in props:
        ddb.tag_resource(ResourceArn=observed.outputs["arn"], Tags=tag_list(model.tags))
    return outputs


def delete(target: Any, model: Table, observed: Observed) -> None:
    ddb = target.client("dynamodb")
    ignore_missing(lambda: ddb.delete_table(TableName=model.table_name))
    ddb.get_waiter("table_not_exists").wait(TableName=model.table_name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})


def _wait_active(ddb: Any, name: str) -> None:
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})


def _change_ttl(target: Any, ddb: Any, model: Table, state: dict[str, Any]) -> None:
    """Move TTL to the desired attribute in the steps DynamoDB accepts.

    DynamoDB refuses a second UpdateTimeToLive on a table within about an hour, and refuses to
    enable an attribute while another one is still enabled or being disabled ("Time to live has
    been modified multiple times within a fixed interval"). So a move is two `up`s: this one
    disables the old attribute, and one run after the disabling has finished enables the new one.
    """
    status = state.get("ttl_status", "DISABLED")
    if status == "DISABLING":
        target.note(
            f"table {model.table_name}: TTL on '{state.get('ttl_seen')}' is still being disabled; "
            f"run `webhookctl up` again once it is done (up to an hour) to enable TTL on '{model.ttl_attribute}'"
        )
        return
    if state.get("ttl") is not None:
        ddb.update_time_to_live(TableName=model.table_name, TimeToLiveSpecification={"Enabled": False, "AttributeName": state["ttl"]})
        target.note(
            f"table {model.table_name}: TTL on '{state['ttl']}' is being disabled (step 1 of 2); DynamoDB accepts TTL on "
            f"'{model.ttl_attribute}' only after that finishes (up to an hour): then run `webhookctl up` again (step 2)"
        )
        return
    _enable_ttl(ddb, model)


def _enable_ttl(ddb: Any, model: Table) -> None:
    ddb.update_time_to_live(TableName=model.table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": model.ttl_attribute})


def _enable_pitr(ddb: Any, model: Table) -> None:
    # Continuous backups become available a little after the table turns ACTIVE.
    retry_on_propagation(
        lambda: ddb.update_continuous_backups(
            TableName=model.table_name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": model.point_in_time_recovery}
        )
    )
