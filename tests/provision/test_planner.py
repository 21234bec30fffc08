"""The planner and differs over an in-memory remote state (no AWS, no server)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from webhookctl.provision import models
from webhookctl.provision.desired import build_desired
from webhookctl.provision.graph import dependency_map, order
from webhookctl.provision.plan import make_plan, teardown_plan
from webhookctl.provision.references import UNKNOWN, Ref, contains_unknown, resolve
from webhookctl.provision.registry import HANDLERS, check_registry
from webhookctl.provision.resources.base import Observed
from webhookctl.provision.scheduler import NodeFailed, run_graph
from webhookctl.provision.target import MOTO_UNREPORTED, Target

ACCOUNT, REGION = "123456789012", "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
LAYER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:webhookctl-deps-dev:3"


def target(kind: str = "aws") -> Target:
    aws = SimpleNamespace(target=kind, endpoint_url=None, region=REGION, account_id=ACCOUNT, partition="aws")
    return Target(aws=aws, unreported=frozenset() if kind == "aws" else frozenset(MOTO_UNREPORTED))


def desired(settings, artifacts, **kwargs):
    return build_desired(settings, account_id=ACCOUNT, region=REGION, partition="aws", artifacts=artifacts, **kwargs)


def function_state(model: models.Function, *, code: str | None = None, dead_letter: str | None = "same", **changes) -> Observed:
    """What AWS would report for `model` once its references are resolved against the in-memory state."""
    state = {
        "role": model.role_arn,
        "runtime": model.runtime,
        "architecture": model.architecture,
        "handler": model.handler,
        "code_sha256": code or model.artifact.lambda_code_sha256,
        "layers": list(model.layers),
        "memory_mb": model.memory_mb,
        "timeout_s": model.timeout_s,
        "environment": dict(model.environment),
        "kms_key": model.kms_key_arn,
        "tracing": model.tracing_mode,
        "dead_letter": model.dead_letter_arn if dead_letter == "same" else dead_letter,
        "reserved": model.reserved_concurrency,
        "tags": dict(model.tags),
    }
    state.update(changes)
    return Observed(outputs={"arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{model.function_name}", "name": model.function_name}, state=state)


IN_MEMORY_OUTPUTS = {
    "kms_key": {"arn": KEY_ARN, "key_id": "k-1"},
    "layer": {"arn": LAYER_ARN, "latest_arn": LAYER_ARN},
    "secret": {"arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:webhookctl-provider-secrets-dev-AbCdEf"},
    "rest_api": {"id": "api1", "url": "https://api1/live", "webhook_url_base": "https://api1/live/webhook/", "execute_arn": "x"},
    "processor_dlq": {"arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:webhookctl-processor-dlq-dev", "url": "u"},
    **{f"role_{k}": {"arn": f"arn:aws:iam::{ACCOUNT}:role/webhookctl-{k}-role-dev"} for k in ("receiver", "processor", "audit")},
}


def functions_observed(resources, **per_key) -> dict[str, Observed]:
    observed = {}
    for model in resources:
        if isinstance(model, models.Function):
            resolved = resolve(model, IN_MEMORY_OUTPUTS)
            observed[model.name] = function_state(resolved, **per_key.get(model.key, {}))
    return observed


def existing_dependencies() -> dict[str, Observed]:
    """The resources the functions refer to exist, with state the differs never see (only their outputs matter)."""
    observed = {name: Observed(outputs=outputs) for name, outputs in IN_MEMORY_OUTPUTS.items()}
    return observed


# In-memory handlers: functions use the real differ; every other type reports no difference.
NO_DIFFERENCE = SimpleNamespace(diff=lambda target, model, observed: [])
FUNCTIONS_ONLY = {t: (HANDLERS[t] if t is models.Function else NO_DIFFERENCE) for t in models.MODEL_TYPES}


def only_changes_for(plan, names):
    return [c for c in plan.changes if c.resource in names]


def test_every_model_type_has_a_complete_handler():
    check_registry()
    assert set(HANDLERS) == set(models.MODEL_TYPES)


def test_desired_state_is_a_valid_graph_with_functions_after_what_they_need(settings, artifacts):
    resources = desired(settings, artifacts)
    sequence = order(dependency_map(resources))
    assert len(sequence) == 33
    for key in ("receiver", "processor", "audit"):
        position = sequence.index(f"function_{key}")
        for needed in ("kms_key", f"role_{key}", "layer", f"log_group_{key}", "secret", "rest_api"):
            assert sequence.index(needed) < position
    assert sequence.index("function_receiver") < sequence.index("api_routes") < sequence.index("api_stage") < sequence.index("web_acl_association")
    # Access logging (it needs the account's CloudWatch role) comes after the stage is throttled and behind WAF.
    assert sequence.index("web_acl_association") < sequence.index("api_access_logging")
    assert sequence.index("rest_api") < sequence.index("function_receiver")


def test_nothing_exists_plans_one_create_per_resource_in_dependency_order(settings, artifacts):
    resources = desired(settings, artifacts)
    plan = make_plan(target(), resources, {r.name: None for r in resources})
    assert [c.action for c in plan.changes] == ["create"] * 33
    assert [c.resource for c in plan.changes] == order(dependency_map(resources))
    assert plan.summary() == {"create": 33, "update": 0, "delete": 0, "unchanged": 0}


def test_matching_function_has_no_change_and_a_code_change_is_only_code(settings, artifacts, tmp_path):
    from tests.provision.conftest import make_artifacts

    resources = desired(settings, artifacts)
    names = {"function_receiver", "function_processor", "function_audit"}
    observed = {**existing_dependencies(), **functions_observed(resources)}
    assert only_changes_for(make_plan(target(), resources, observed, handlers=FUNCTIONS_ONLY), names) == []

    changed = make_artifacts(tmp_path / "v2", code={"audit": "def handler(e, c):\n    return 2\n"})
    plan = make_plan(target(), desired(settings, changed), observed, handlers=FUNCTIONS_ONLY)
    changes = only_changes_for(plan, names)
    assert [(c.resource, [d.property for d in c.details]) for c in changes] == [("function_audit", ["code"])]


def test_new_layer_makes_functions_point_at_a_version_known_after_apply(settings, artifacts):
    resources = desired(settings, artifacts)
    observed = {**existing_dependencies(), **functions_observed(resources)}
    observed["layer"] = Observed(outputs={"arn": None, "latest_arn": LAYER_ARN}, state={"matching": False, "latest_description": "sha256:old", "versions": [3]})
    plan = make_plan(target(), resources, observed, handlers={**FUNCTIONS_ONLY, models.Layer: HANDLERS[models.Layer]})
    by_name = {c.resource: c for c in plan.changes}
    assert by_name["layer"].action == "update"
    for key in ("receiver", "processor", "audit"):
        layers = [d for d in by_name[f"function_{key}"].details if d.property == "layers"]
        assert layers and layers[0].to_json()["want"] == "(known after apply)"


def test_dead_letter_config_is_unverifiable_on_moto_but_drift_on_aws(settings, artifacts):
    resources = desired(settings, artifacts)
    observed = {**existing_dependencies(), **functions_observed(resources, processor={"dead_letter": None})}
    names = {"function_processor"}
    on_aws = make_plan(target("aws"), resources, observed, handlers=FUNCTIONS_ONLY)
    assert [d.property for c in only_changes_for(on_aws, names) for d in c.details] == ["dead_letter"]
    on_moto = make_plan(target("endpoint"), resources, observed, handlers=FUNCTIONS_ONLY)
    assert only_changes_for(on_moto, names) == []
    assert any("DeadLetterConfig" in note for note in on_moto.notes)


def test_reserved_concurrency_from_preflight_is_desired(settings, artifacts):
    resources = desired(settings, artifacts, reservations={"receiver": 40, "processor": None, "audit": 5})
    observed = {**existing_dependencies(), **functions_observed(resources)}
    observed["function_receiver"].state["reserved"] = 100
    change = only_changes_for(make_plan(target(), resources, observed, handlers=FUNCTIONS_ONLY), {"function_receiver"})[0]
    assert [(d.property, d.have, d.want) for d in change.details] == [("reserved_concurrency", 100, 40)]


def test_teardown_plan_deletes_what_exists_dependents_first(settings):
    resources = desired(settings, None)
    observed = {r.name: None for r in resources}
    for name in ("kms_key", "function_audit", "role_audit", "audit_stream_mapping"):
        observed[name] = Observed(outputs={}, state={})
    observed["secret"] = Observed(outputs={}, state={"pending_deletion": True})
    plan = teardown_plan(target(), resources, observed)
    assert [c.resource for c in plan.changes] == ["audit_stream_mapping", "function_audit", "role_audit", "kms_key"]
    assert {c.action for c in plan.changes} == {"delete"}


def test_refs_resolve_to_outputs_or_unknown():
    model = models.Queue(name="q", queue_name="n", retention_s=1, kms_key_arn=Ref("kms_key", "arn"), tags={"a": Ref("x", "y", "/z")})
    assert resolve(model, {"kms_key": {"arn": "K"}, "x": {"y": "Y"}}).tags == {"a": "Y/z"}
    unresolved = resolve(model, {})
    assert unresolved.kms_key_arn is UNKNOWN and contains_unknown(unresolved)
    assert models.dependencies(model) == {"kms_key", "x"}


def test_graph_rejects_cycles_and_unknown_dependencies():
    a = models.Queue(name="a", queue_name="a", retention_s=1, kms_key_arn=Ref("b", "arn"), tags={})
    b = models.Queue(name="b", queue_name="b", retention_s=1, kms_key_arn=Ref("a", "arn"), tags={})
    with pytest.raises(ValueError, match="cycle"):
        dependency_map([a, b])
    with pytest.raises(ValueError, match="unknown"):
        dependency_map([a])


def test_scheduler_respects_dependencies_and_the_parallelism_bound():
    graph = {"root": set(), **{f"leaf{i}": {"root"} for i in range(6)}, "last": {f"leaf{i}" for i in range(6)}}
    started: list[str] = []
    running = [0]
    peak = [0]
    lock = threading.Lock()

    def work(name: str) -> None:
        with lock:
            started.append(name)
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    run_graph(graph, work, max_parallel=3)
    assert started[0] == "root" and started[-1] == "last" and peak[0] == 3
    started.clear()
    run_graph(graph, work, max_parallel=3, reverse=True)
    assert started[0] == "last" and started[-1] == "root"


def test_scheduler_starts_nothing_new_after_a_failure():
    graph = {"a": set(), "b": {"a"}, "c": {"b"}}
    ran: list[str] = []

    def work(name: str) -> None:
        ran.append(name)
        if name == "b":
            raise RuntimeError("boom")

    with pytest.raises(NodeFailed) as failure:
        run_graph(graph, work, max_parallel=4)
    assert failure.value.name == "b" and ran == ["a", "b"]


def test_iam_propagation_errors_are_retried_and_others_are_not():
    from botocore.exceptions import ClientError

    from webhookctl.provision.retry import retry_on_propagation

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ClientError({"Error": {"Code": "InvalidParameterValueException", "Message": "The role defined for the function cannot be assumed by Lambda."}}, "CreateFunction")
        return "ok"

    assert retry_on_propagation(flaky, sleep=lambda s: None) == "ok" and len(calls) == 3

    def broken():
        raise ClientError({"Error": {"Code": "InvalidParameterValueException", "Message": "Unsupported runtime"}}, "CreateFunction")

    with pytest.raises(ClientError):
        retry_on_propagation(broken, sleep=lambda s: None)
