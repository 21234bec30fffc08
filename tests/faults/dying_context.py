"""Fault injection for provisioning: a context that dies after its Nth mutating AWS call, and an orphan inventory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webhookctl.aws import AwsContext, is_read_operation
from webhookctl.names import Names


class Died(Exception):
    """Stands for the process dying right after an API call returned."""


@dataclass
class DyingContext(AwsContext):
    """Raises after the Nth mutating call has completed (the call took effect)."""

    die_after: int = 0
    writes_done: int = 0

    def _make_client(self, service: str) -> Any:
        client = super()._make_client(service)

        def after(model: Any, **_: Any) -> None:
            if is_read_operation(model.name):
                return
            with self._lock:
                self.writes_done += 1
                if self.writes_done == self.die_after:
                    raise Died(f"died after write {self.die_after}: {service}:{model.name}")

        client.meta.events.register("after-call.*.*", after)
        return client


def root_cause(error: BaseException) -> BaseException:
    """The innermost cause (ApplyError wraps the failure of the change it was running)."""
    while getattr(error, "error", None) is not None or error.__cause__ is not None:
        error = getattr(error, "error", None) or error.__cause__
    return error


def _pages(client: Any, operation: str, key: str, **request: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**request) for item in page.get(key, [])]


def env_inventory(client: Any, names: Names) -> list[str]:
    """Everything of the env that still exists, found by listing each service directly (not by `down`'s own discovery).

    `client(service)` returns a boto3 client. Keys pending deletion and secrets scheduled for
    deletion do not count: that is how AWS itself removes them.
    """
    suffix = f"-{names.env}"

    def mine(name: str) -> bool:
        return name.startswith(names.prefix + "-") and name.endswith(suffix)

    lam, kms = client("lambda"), client("kms")
    found = [f"table {t}" for t in _pages(client("dynamodb"), "list_tables", "TableNames") if mine(t)]
    found += [f"queue {u}" for u in client("sqs").list_queues(QueueNamePrefix=names.prefix).get("QueueUrls", []) if mine(u.rsplit("/", 1)[-1])]
    found += [f"topic {t['TopicArn']}" for t in _pages(client("sns"), "list_topics", "Topics") if mine(t["TopicArn"].rsplit(":", 1)[-1])]
    found += [f"secret {s['Name']}" for s in _pages(client("secretsmanager"), "list_secrets", "SecretList") if mine(s["Name"]) and not s.get("DeletedDate")]
    found += [f"role {r['RoleName']}" for r in _pages(client("iam"), "list_roles", "Roles") if mine(r["RoleName"])]
    found += [f"function {f['FunctionName']}" for f in _pages(lam, "list_functions", "Functions") if mine(f["FunctionName"])]
    found += [f"layer {layer['LayerName']}" for layer in _pages(lam, "list_layers", "Layers") if mine(layer["LayerName"])]
    found += [
        f"event source mapping {m['UUID']}"
        for m in _pages(lam, "list_event_source_mappings", "EventSourceMappings")
        if mine(m["FunctionArn"].rsplit(":", 1)[-1])
    ]
    found += [f"rest api {a['name']}" for a in _pages(client("apigateway"), "get_rest_apis", "items") if mine(a["name"])]
    found += [f"log group {g['logGroupName']}" for g in _pages(client("logs"), "describe_log_groups", "logGroups") if g["logGroupName"].endswith(suffix)]
    found += [f"alarm {a['AlarmName']}" for a in _pages(client("cloudwatch"), "describe_alarms", "MetricAlarms") if mine(a["AlarmName"])]
    found += [f"web acl {a['Name']}" for a in client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] if mine(a["Name"])]
    found += [f"kms alias {a['AliasName']}" for a in _pages(kms, "list_aliases", "Aliases") if a["AliasName"] == names.kms_alias]
    for key in _pages(kms, "list_keys", "Keys"):
        state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])}
        if state != "PendingDeletion" and all(tags.get(k) == v for k, v in names.tags().items()):
            found.append(f"kms key {key['KeyId']} ({state})")
    return found
