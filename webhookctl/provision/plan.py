"""Discovery and planning: read what exists (read-only calls), compare it with the desired state.

The plan is data. `plan` prints it; `up` hands the same plan to apply.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

from webhookctl.provision.graph import dependency_map, order
from webhookctl.provision.models import Resource
from webhookctl.provision.references import UNKNOWN, references, resolve
from webhookctl.provision.registry import handler_for
from webhookctl.provision.resources.base import Difference, Observed
from webhookctl.provision.scheduler import run_graph
from webhookctl.provision.target import Target

ACTIONS = ("create", "update", "delete")


@dataclass(frozen=True)
class Change:
    action: str  # create | update | delete
    resource: str  # logical name
    type: str
    physical: str | None = None
    details: tuple[Difference, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "type": self.type,
            "physical": self.physical,
            "details": [d.to_json() for d in self.details],
        }


@dataclass
class Plan:
    """The desired resources (dependency order), what exists, and the changes between them."""

    resources: list[Resource]
    graph: dict[str, set[str]]
    observed: dict[str, Observed | None]
    changes: list[Change]
    notes: list[str] = field(default_factory=list)

    @property
    def by_name(self) -> dict[str, Resource]:
        return {r.name: r for r in self.resources}

    @property
    def pending(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        counts = {action: sum(1 for c in self.changes if c.action == action) for action in ACTIONS}
        counts["unchanged"] = len(self.resources) - len({c.resource for c in self.changes})
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "summary": self.summary(), "notes": list(self.notes)}


def outputs_of(observed: dict[str, Observed | None]) -> dict[str, dict[str, Any]]:
    return {name: dict(found.outputs) for name, found in observed.items() if found is not None}


def discovery_graph(resources: Sequence[Resource], *, handlers: Any = None) -> dict[str, set[str]]:
    """name -> resources whose outputs its discovery reads (most resources are found by their own name)."""
    lookup = (lambda model: handlers[type(model)]) if handlers is not None else handler_for
    dependency_map(resources)  # validates names, references and cycles
    return {r.name: references(tuple(getattr(r, field) for field in lookup(r).DISCOVERED_FROM)) - {r.name} for r in resources}


def discover(target: Target, resources: Sequence[Resource], *, max_parallel: int = 8) -> dict[str, Observed | None]:
    """Read what exists; a resource waits only for those whose outputs identify it (e.g. a stage, for its API's id)."""
    graph = discovery_graph(resources)
    by_name = {r.name: r for r in resources}
    observed: dict[str, Observed | None] = {}
    lock = threading.Lock()

    def look(name: str) -> None:
        with lock:
            known = outputs_of(observed)
        model = resolve(by_name[name], known)
        found = handler_for(model).discover(target, model)
        with lock:
            observed[name] = found

    run_graph(graph, look, max_parallel=max_parallel)
    return {r.name: observed.get(r.name) for r in resources}


def planned_outputs(model: Resource, found: Observed | None, differences: list[Difference]) -> dict[str, Any] | None:
    """Outputs of a resource as known before apply: unknown when it is created or when an update replaces them."""
    if found is None:
        return None
    outputs = {k: (UNKNOWN if v is None else v) for k, v in found.outputs.items()}
    for difference in differences:
        for output in _REPLACED_BY.get((model.type, difference.property), ()):
            outputs[output] = UNKNOWN
    return outputs


# (resource type, changed property) -> outputs that the update replaces.
_REPLACED_BY = {
    ("dynamodb_table", "stream"): ("stream_arn",),
    ("lambda_layer", "content"): ("arn", "latest_arn"),
    ("lambda_event_source_mapping", "source_arn"): ("uuid",),
}


def make_plan(target: Target, resources: Sequence[Resource], observed: dict[str, Observed | None], *, handlers: Any = None) -> Plan:
    """Compare each desired resource (refs resolved where known) with what exists.

    `handlers` (model type -> module) defaults to the registry; tests pass in-memory ones.
    """
    lookup = (lambda model: handlers[type(model)]) if handlers is not None else handler_for
    graph = dependency_map(resources)
    by_name = {r.name: r for r in resources}
    known: dict[str, dict[str, Any]] = {}
    changes: list[Change] = []
    ordered = [by_name[name] for name in order(graph)]
    for model in ordered:
        resolved = resolve(model, known)
        found = observed.get(model.name)
        if found is None:
            changes.append(Change("create", model.name, model.type, model.physical_name))
            continue
        differences = lookup(model).diff(target, resolved, found)
        if differences:
            changes.append(Change("update", model.name, model.type, model.physical_name, tuple(differences)))
        known[model.name] = planned_outputs(model, found, differences) or {}
    return Plan(resources=ordered, graph=graph, observed=dict(observed), changes=changes, notes=list(target.notes))


def plan_env(target: Target, resources: Sequence[Resource], *, max_parallel: int = 8) -> Plan:
    return make_plan(target, resources, discover(target, resources, max_parallel=max_parallel))


def exists(found: Observed | None) -> bool:
    """True for a resource of the env that exists and is not already scheduled for deletion.

    Account-wide settings (the API Gateway CloudWatch role) are not the env's: `down` keeps them.
    """
    return found is not None and not found.state.get("pending_deletion", False) and not found.state.get("account_wide", False)


def teardown_plan(target: Target, resources: Sequence[Resource], observed: dict[str, Observed | None]) -> Plan:
    """Delete everything that exists, dependents first."""
    graph = dependency_map(resources)
    by_name = {r.name: r for r in resources}
    changes = [
        Change("delete", name, by_name[name].type, by_name[name].physical_name)
        for name in reversed(order(graph))
        if exists(observed.get(name))
    ]
    return Plan(resources=[by_name[n] for n in order(graph)], graph=graph, observed=dict(observed), changes=changes, notes=list(target.notes))
