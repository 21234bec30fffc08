"""`status`: which resources exist, which drifted, DLQ depths and alarm states (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import NotDeployedError
from webhookctl.provision.deploy import DEFAULT_MAX_PARALLEL, desired_state
from webhookctl.provision.models import Alarm
from webhookctl.provision.plan import discover, exists, make_plan
from webhookctl.provision.target import target_for


@dataclass
class StatusResult:
    env: str
    deployed: bool
    resources: list[dict[str, Any]]
    dlq: dict[str, int | None]
    alarms: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    alerts: dict[str, Any] = field(default_factory=dict)
    providers_without_secret: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "deployed": self.deployed,
            "resources": self.resources,
            "dlq": self.dlq,
            "alarms": self.alarms,
            "alerts": self.alerts,
            "notes": self.notes,
            "providers_without_secret": self.providers_without_secret,
        }


def env_status(aws: AwsContext, settings: Settings, *, max_parallel: int = DEFAULT_MAX_PARALLEL) -> StatusResult:
    target = target_for(aws)
    resources = desired_state(target, settings, None)
    observed = discover(target, resources, max_parallel=max_parallel)
    if not any(exists(found) for found in observed.values()):
        raise NotDeployedError(settings.env)
    plan = make_plan(target, resources, observed)
    changes = {c.resource: c for c in plan.changes}
    rows = []
    for model in plan.resources:
        change = changes.get(model.name)
        found = observed.get(model.name)
        present = exists(found) or (found is not None and found.state.get("account_wide", False))
        state = "missing" if not present else ("drift" if change else "ok")
        rows.append(
            {
                "resource": model.name,
                "type": model.type,
                "physical": model.physical_name,
                "exists": present,
                "state": state,
                "drift": [d.property for d in change.details] if change and exists(found) else [],
            }
        )
    dlq = {key: _depth(target, observed.get(f"{key}_dlq")) for key in ("processor", "audit")}
    alarms = [
        {"name": model.alarm_name, "state": observed[model.name].outputs.get("state") if observed.get(model.name) else None}
        for model in plan.resources
        if isinstance(model, Alarm)
    ]
    notes = list(target.notes)
    without_secret = _providers_without_secret(target, settings, observed.get("secret"), notes)
    return StatusResult(
        env=settings.env,
        deployed=all(row["exists"] for row in rows),
        resources=rows,
        dlq=dlq,
        alarms=alarms,
        notes=notes,
        alerts=alert_subscriptions(target, observed.get("alerts_topic")),
        providers_without_secret=without_secret,
    )


def alert_subscriptions(target: Any, topic: Any) -> dict[str, Any]:
    """Whether anyone will hear an alarm: the alerts topic's subscriptions, confirmed or pending."""
    from webhookctl.provision.resources.subscription import is_confirmed, subscriptions

    if not exists(topic):
        return {"topic": None, "confirmed_subscription": False, "subscriptions": []}
    found = subscriptions(target, topic.outputs["arn"])
    listed = [{"protocol": s.get("Protocol"), "endpoint": s.get("Endpoint"), "confirmed": is_confirmed(s)} for s in found]
    return {"topic": topic.outputs["arn"], "confirmed_subscription": any(s["confirmed"] for s in listed), "subscriptions": listed}


def _providers_without_secret(target: Any, settings: Settings, found: Any, notes: list[str]) -> list[str]:
    """Enabled providers every delivery to which is refused; each gap (or an unreadable secret) is a note."""
    from webhookctl.provision.secret_readiness import read_secret_readiness, without_secret_sentence

    if not exists(found):
        return []  # the missing secret is already a missing resource
    try:
        missing = read_secret_readiness(target.client("secretsmanager"), settings).without_secret
    except Exception as exc:  # noqa: BLE001 - AccessDenied, KMS: status still shows everything else
        notes.append(f"could not read the provider secret to check its providers: {type(exc).__name__}")
        return []
    if missing:
        notes.append(without_secret_sentence(settings.env, missing))
    return missing


def _depth(target: Any, found: Any) -> int | None:
    if not exists(found):
        return None
    attributes = target.client("sqs").get_queue_attributes(QueueUrl=found.outputs["url"], AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"].get("ApproximateNumberOfMessages", 0))


def read_outputs(aws: AwsContext, settings: Settings, *, max_parallel: int = DEFAULT_MAX_PARALLEL) -> dict[str, str]:
    """The outputs of a deployed env, read from AWS (no local state); exit 4 when nothing is deployed."""
    from webhookctl.provision.outputs import env_outputs
    from webhookctl.provision.plan import outputs_of

    target = target_for(aws)
    resources = desired_state(target, settings, None)
    observed = discover(target, resources, max_parallel=max_parallel)
    if not any(exists(found) for found in observed.values()):
        raise NotDeployedError(settings.env)
    return env_outputs(settings, aws.region, outputs_of({k: v for k, v in observed.items() if exists(v)}))
