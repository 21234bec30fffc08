"""`plan` and `up` as plain functions over an AwsContext: desired state -> discovery -> plan -> apply."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from webhookctl.aws import AwsContext
from webhookctl.config import FUNCTIONS, Settings
from webhookctl.provision.apply import Progress, apply_plan
from webhookctl.provision.deployable_code import Artifacts
from webhookctl.provision.desired import build_desired
from webhookctl.provision.models import Function, Resource
from webhookctl.provision.outputs import env_outputs
from webhookctl.provision.plan import Plan, plan_env
from webhookctl.provision.target import Target, target_for

DEFAULT_MAX_PARALLEL = 8


def desired_state(target: Target, settings: Settings, artifacts: Artifacts | None, reservations: dict[str, int | None] | None = None) -> list[Resource]:
    return build_desired(
        settings,
        account_id=target.account_id,
        region=target.region,
        partition=target.partition,
        artifacts=artifacts,
        reservations=reservations,
    )


@dataclass
class UpResult:
    outputs: dict[str, str]
    summary: dict[str, int]
    changes: list[dict[str, Any]]
    api_calls: dict[str, int]
    calls_by_operation: dict[str, int]
    seconds: float
    notes: list[str] = field(default_factory=list)
    reservations: dict[str, int | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "outputs": self.outputs,
            "summary": self.summary,
            "changes": self.changes,
            "api_calls": self.api_calls,
            "api_calls_by_operation": self.calls_by_operation,
            "seconds": round(self.seconds, 3),
            "reserved_concurrency": self.reservations,
            "notes": self.notes,
        }


def plan(aws: AwsContext, settings: Settings, artifacts: Artifacts | None, *, reservations: dict[str, int | None] | None = None, max_parallel: int = DEFAULT_MAX_PARALLEL) -> Plan:
    """Read-only: what `up` would change."""
    target = target_for(aws)
    return plan_env(target, desired_state(target, settings, artifacts, reservations), max_parallel=max_parallel)


def deploy(
    aws: AwsContext,
    settings: Settings,
    artifacts: Artifacts,
    *,
    reservations: dict[str, int | None] | None = None,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    progress: Progress | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    started: float | None = None,
) -> UpResult:
    """Converge the env on the desired state; a converged env costs only read calls."""
    started = time.perf_counter() if started is None else started
    target = target_for(aws)
    desired = desired_state(target, settings, artifacts, reservations)
    the_plan = plan_env(target, desired, max_parallel=max_parallel)
    if on_plan is not None:
        on_plan(the_plan)
    resources = apply_plan(target, the_plan, max_parallel=max_parallel, progress=progress)
    outputs = env_outputs(settings, aws.region, resources)
    functions = {model.key: model for model in the_plan.resources if isinstance(model, Function)}
    return UpResult(
        outputs=outputs,
        summary=the_plan.summary(),
        changes=[c.to_json() for c in the_plan.changes],
        api_calls=aws.counter.as_dict(),
        calls_by_operation=dict(sorted(aws.counter.by_operation.items())),
        seconds=time.perf_counter() - started,
        notes=list(target.notes),
        reservations={key: functions[key].reserved_concurrency for key in FUNCTIONS},
    )
