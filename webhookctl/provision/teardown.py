"""`down`: delete everything of the env that exists, dependents first, then verify that nothing remains."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import NotDeployedError, UsageError
from webhookctl.names import Names
from webhookctl.provision.apply import Progress, apply_plan
from webhookctl.provision.deploy import DEFAULT_MAX_PARALLEL, desired_state
from webhookctl.provision.plan import Plan, discover, exists, teardown_plan
from webhookctl.provision.resources import kms
from webhookctl.provision.resources.base import is_not_found
from webhookctl.provision.target import Target, target_for

# Rounds of delete-then-rediscover: a second round catches duplicates that share a name.
MAX_ROUNDS = 3


@dataclass
class DownResult:
    deleted: list[dict[str, Any]]
    remaining: list[dict[str, Any]]
    api_calls: dict[str, int]
    seconds: float
    scheduled: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "deleted": self.deleted,
            "remaining": self.remaining,
            "scheduled_for_deletion": self.scheduled,
            "api_calls": self.api_calls,
            "seconds": round(self.seconds, 3),
        }


def check_protection(settings: Settings, force: bool) -> None:
    if settings.protected and not force:
        raise UsageError(f"env '{settings.env}' is protected; `down` needs --force", hint=f"webhookctl down --env {settings.env} --force")


def teardown(
    aws: AwsContext,
    settings: Settings,
    *,
    force: bool = False,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    progress: Progress | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> DownResult:
    """Remove the env. Tolerates anything already gone; NotDeployedError when nothing exists at all."""
    started = time.perf_counter()
    check_protection(settings, force)
    target = target_for(aws)
    names = Names(settings.prefix, settings.env)
    resources = desired_state(target, settings, None)
    observed = discover(target, resources, max_parallel=max_parallel)
    if not any(exists(found) for found in observed.values()) and not _tagged_leftovers(target, names):
        raise NotDeployedError(settings.env, hint="nothing of this env exists")
    deleted: list[dict[str, Any]] = []
    for _ in range(MAX_ROUNDS):
        plan = teardown_plan(target, resources, observed)
        if not plan.changes:
            break
        if on_plan is not None:
            on_plan(plan)
        apply_plan(target, plan, max_parallel=max_parallel, progress=progress)
        deleted += [{"resource": c.resource, "type": c.type, "physical": c.physical} for c in plan.changes]
        observed = discover(target, resources, max_parallel=max_parallel)
    scheduled = _sweep_keys(target, names, kms.pending_window_days(settings))
    remaining = _remaining(target, names, resources, observed)
    return DownResult(
        deleted=deleted,
        remaining=remaining,
        api_calls=aws.counter.as_dict(),
        seconds=time.perf_counter() - started,
        scheduled=scheduled,
    )


def _sweep_keys(target: Target, names: Names, pending_window_days: int) -> list[str]:
    """Keys of this env that lost (or never got) their alias are scheduled for deletion too."""
    scheduled = []
    for arn in _tagged(target, names, "kms:key"):
        key_id = arn.rsplit("/", 1)[-1]
        state = _key_state(target, key_id)
        if state not in (None, "PendingDeletion"):
            kms.schedule_deletion(target, key_id, pending_window_days)
        if state is not None:
            scheduled.append(arn)
    return scheduled


def _key_state(target: Target, key_id: str) -> str | None:
    try:
        return target.client("kms").describe_key(KeyId=key_id)["KeyMetadata"].get("KeyState")
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def _tagged(target: Target, names: Names, resource_type: str | None = None) -> list[str]:
    client = target.client("resourcegroupstaggingapi")
    request: dict[str, Any] = {"TagFilters": [{"Key": k, "Values": [v]} for k, v in names.tags().items()]}
    if resource_type:
        request["ResourceTypeFilters"] = [resource_type]
    arns: list[str] = []
    for page in client.get_paginator("get_resources").paginate(**request):
        arns.extend(item["ResourceARN"] for item in page.get("ResourceTagMappingList", []))
    return arns


def _is_live(target: Target, arn: str) -> bool:
    """A tagged ARN that still counts: keys pending deletion and secrets scheduled for deletion do not."""
    if ":kms:" in arn:
        return _key_state(target, arn.rsplit("/", 1)[-1]) not in (None, "PendingDeletion")
    if ":secretsmanager:" in arn:
        try:
            return target.client("secretsmanager").describe_secret(SecretId=arn).get("DeletedDate") is None
        except ClientError as exc:
            if is_not_found(exc):
                return False
            raise
    return True


def _tagged_leftovers(target: Target, names: Names) -> list[str]:
    return [arn for arn in _tagged(target, names) if _is_live(target, arn)]


def _remaining(target: Target, names: Names, resources: list, observed: dict) -> list[dict[str, Any]]:
    """What still exists after `down`: by direct listing (discovery) and through the tagging API."""
    by_name = {r.name: r for r in resources}
    remaining = [
        {"resource": name, "type": by_name[name].type, "physical": by_name[name].physical_name, "found_by": "listing"}
        for name, found in observed.items()
        if exists(found)
    ]
    remaining += [{"resource": arn, "type": arn.split(":")[2], "physical": arn, "found_by": "tags"} for arn in _tagged_leftovers(target, names)]
    return remaining


def teardown_preview(aws: AwsContext, settings: Settings, *, max_parallel: int = DEFAULT_MAX_PARALLEL) -> Plan:
    """The deletions `down` would make (read-only), for a confirmation prompt."""
    target = target_for(aws)
    resources = desired_state(target, settings, None)
    return teardown_plan(target, resources, discover(target, resources, max_parallel=max_parallel))
