"""Apply: run a plan's changes over the dependency graph, resolving references as outputs become known.

Each change is executed as plan made it: apply reads nothing to compare again.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from webhookctl.errors import WebhookctlError
from webhookctl.provision.plan import Change, Plan
from webhookctl.provision.references import contains_unknown, resolve
from webhookctl.provision.registry import handler_for
from webhookctl.provision.scheduler import NodeFailed, run_graph
from webhookctl.provision.target import Target

# progress(event, change): event is "start", "done" or "failed".
Progress = Callable[[str, Change], None]


class ApplyError(WebhookctlError):
    """A change failed; the changes before it stay applied, and the next `up` continues from there."""

    def __init__(self, change: Change, error: BaseException):
        self.change = change
        self.error = error
        what = f"{change.resource}" + (f" ({change.physical})" if change.physical else "")
        super().__init__(f"could not {change.action} {what}: {_describe(error)}", hint="fix the cause and run the command again; it continues where it stopped")


def _describe(error: BaseException) -> str:
    if type(error).__module__.startswith("botocore"):
        from webhookctl.aws_errors import describe_botocore_error

        return describe_botocore_error(error)[0]
    if isinstance(error, WebhookctlError):
        return error.message
    return f"{type(error).__name__}: {error}"


def apply_plan(target: Target, plan: Plan, *, max_parallel: int = 8, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Run every change; returns the outputs of every resource that exists afterwards."""
    notify = progress or (lambda event, change: None)
    outputs: dict[str, dict[str, Any]] = {name: dict(found.outputs) for name, found in plan.observed.items() if found is not None}
    lock = threading.Lock()
    changes = {change.resource: change for change in plan.changes}
    by_name = plan.by_name
    deleting = any(change.action == "delete" for change in plan.changes)

    def step(name: str) -> None:
        change = changes.get(name)
        if change is None:
            return
        with lock:
            known = {k: dict(v) for k, v in outputs.items()}
        model = resolve(by_name[name], known)
        found = plan.observed.get(name)
        handler = handler_for(model)
        notify("start", change)
        try:
            if change.action == "delete":
                handler.delete(target, model, found)
                result: dict[str, Any] | None = None
            elif contains_unknown(model):
                raise RuntimeError(f"{name} refers to outputs that are still unknown")
            elif change.action == "create":
                result = handler.create(target, model)
            else:  # the differences plan found; apply compares nothing again
                result = handler.update(target, model, found, list(change.details))
        except BaseException:
            notify("failed", change)
            raise
        with lock:
            if result is None:
                outputs.pop(name, None)
            else:
                outputs[name] = result
        notify("done", change)

    try:
        run_graph(plan.graph, step, max_parallel=max_parallel, reverse=deleting)
    except NodeFailed as failed:
        raise ApplyError(changes[failed.name], failed.error) from failed.error
    return outputs
