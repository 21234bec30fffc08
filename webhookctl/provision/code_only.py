"""`up` after an edit of handler code only, on the local cloud: upload the new code, skip the rest.

After every full `up` on the local cloud, a record of what it converged on is kept under
WEBHOOKCTL_HOME: a digest of everything that shapes the desired state except the functions' code
(settings, options, target, the layer, every other resource), the reservations preflight chose,
the outputs, and each function's CodeSha256 and LastModified as the endpoint then reported them.

The next `up` takes the short path only when that digest is the same, at least one function's
code differs from the record, and each function still reports the recorded CodeSha256 and
LastModified (so a `down`, a restarted cloud or a change made elsewhere sends it the full way).
It then calls UpdateFunctionCode for the changed functions and nothing else; the local cloud
warms each new version as it does after any deploy. Anything else takes the full
preflight -> discovery -> plan -> apply path, which also writes a new record.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.provision.apply import ApplyError, Progress
from webhookctl.provision.deploy import UpResult, desired_state
from webhookctl.provision.deployable_code import Artifacts
from webhookctl.provision.models import CodeArtifact, Function, Resource
from webhookctl.provision.plan import Change, Plan
from webhookctl.provision.resources.base import Difference
from webhookctl.provision.target import target_for

RECORD_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Scope:
    """Which deployment a record belongs to, and what else decided its desired state."""

    aws: AwsContext
    settings: Settings
    options: Any  # UpOptions: the reserved-concurrency mode and whether preflight ran

    @property
    def path(self) -> Path:
        key = json.dumps([self.aws.target, self.aws.endpoint_url, self.aws.region, self.aws.account_id, self.settings.env])
        from webhookctl.localcloud.lifecycle import home

        return home() / "deployments" / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".json")


def digest(scope: Scope, desired: list[Resource]) -> str:
    """Everything that shapes the deployment, except the functions' code."""
    without_code = [dataclasses.replace(r, artifact=None) if isinstance(r, Function) else r for r in desired]
    document = [RECORD_VERSION, _canonical(scope.settings), scope.options.reserved_mode, scope.options.preflight, _canonical(without_code)]
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, CodeArtifact):
        return value.sha256
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return f"{type(value).__name__}:{value}"


def _functions(desired: list[Resource]) -> dict[str, Function]:
    return {r.name: r for r in desired if isinstance(r, Function)}


# What GetFunctionConfiguration reports that a change made elsewhere would move (besides CodeSha256).
WATCHED = ("FunctionArn", "LastModified", "Role", "Runtime", "Handler", "MemorySize", "Timeout", "Environment", "Layers",
           "KMSKeyArn", "TracingConfig", "Architectures", "DeadLetterConfig")  # fmt: skip


def _live(aws: AwsContext, names: list[str]) -> dict[str, dict[str, Any] | None]:
    """Each function's CodeSha256 and watched configuration as the endpoint reports them (None: not found)."""
    client = aws.client("lambda")

    def read(name: str) -> dict[str, Any] | None:
        try:
            return _state(client.get_function_configuration(FunctionName=name))
        except client.exceptions.ResourceNotFoundException:
            return None

    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        return dict(zip(names, pool.map(read, names)))


def _state(configuration: dict[str, Any]) -> dict[str, Any]:
    watched = {k: configuration.get(k) for k in WATCHED}
    return {"code_sha256": configuration.get("CodeSha256"), "configuration": json.loads(json.dumps(watched, default=str))}


def remember(scope: Scope, reservations: dict[str, int | None], artifacts: Artifacts, result: UpResult) -> None:
    """After a full `up`: record what it converged on (a record that cannot be written only costs speed)."""
    desired = desired_state(target_for(scope.aws), scope.settings, artifacts, reservations)
    functions = _functions(desired)
    live = _live(scope.aws, [f.function_name for f in functions.values()])
    if any(state is None for state in live.values()):
        return
    record = {
        "version": RECORD_VERSION,
        "digest": digest(scope, desired),
        "reservations": reservations,
        "outputs": result.outputs,
        "notes": result.notes,
        "reserved_concurrency": result.reservations,
        "functions": {name: live[f.function_name] for name, f in functions.items()},
    }
    _write(scope.path, record)


def _write(path: Path, record: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text(json.dumps(record, indent=1))
        scratch.replace(path)
    except OSError:
        pass


def recorded(scope: Scope) -> dict[str, Any] | None:
    try:
        record = json.loads(scope.path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("version") == RECORD_VERSION else None


def forget(scope: Scope) -> None:
    try:
        scope.path.unlink()
    except OSError:
        pass


def try_code_only(scope: Scope, artifacts: Artifacts, *, progress: Progress | None = None,
                  on_plan: Callable[[Plan], None] | None = None, started: float | None = None) -> UpResult | None:
    """The `up` result after uploading only the changed functions' code; None when the full path is needed."""
    started = time.perf_counter() if started is None else started
    record = recorded(scope)
    if record is None:
        return None
    target = target_for(scope.aws)
    desired = desired_state(target, scope.settings, artifacts, record["reservations"])
    functions = _functions(desired)
    if digest(scope, desired) != record["digest"] or set(functions) != set(record["functions"]):
        return None
    was = {name: record["functions"][name]["code_sha256"] for name in functions}
    changed = {name: f for name, f in functions.items() if f.artifact is not None and f.artifact.lambda_code_sha256 != was[name]}
    if not changed:
        return None  # nothing to upload: the full path reads everything and repairs drift
    live = _live(scope.aws, [f.function_name for f in functions.values()])
    if any(live[f.function_name] != record["functions"][name] for name, f in functions.items()):
        return None  # changed, re-created or gone since the record: plan it in full
    changes = [Change("update", name, f.type, f.physical_name, (Difference("code", was[name], f.artifact.lambda_code_sha256),)) for name, f in changed.items()]  # type: ignore[union-attr]
    plan = Plan(resources=desired, graph={}, observed={}, changes=changes, notes=[])
    if on_plan is not None:
        on_plan(plan)
    forget(scope)  # until the upload is done and read back, the record is not to be trusted
    record["functions"].update(_upload(scope.aws, changed, changes, progress or (lambda event, change: None)))
    _write(scope.path, record)
    aws = scope.aws
    return UpResult(
        outputs=record["outputs"], summary=plan.summary(), changes=[c.to_json() for c in changes], api_calls=aws.counter.as_dict(),
        calls_by_operation=dict(sorted(aws.counter.by_operation.items())), seconds=time.perf_counter() - started,
        notes=list(record["notes"]), reservations=record["reserved_concurrency"],
    )  # fmt: skip


def _upload(aws: AwsContext, changed: dict[str, Function], changes: list[Change], notify: Progress) -> dict[str, dict[str, Any]]:
    """UpdateFunctionCode for each changed function, side by side; each one's state once the update has settled."""
    client = aws.client("lambda")

    def one(change: Change) -> dict[str, Any]:
        model = changed[change.resource]
        notify("start", change)
        try:
            code = model.artifact.path.read_bytes()  # type: ignore[union-attr]
            client.update_function_code(FunctionName=model.function_name, ZipFile=code, Architectures=[model.architecture])
            state = _settled(client, model.function_name)
        except Exception as error:
            notify("failed", change)
            raise ApplyError(change, error) from error
        notify("done", change)
        return state

    with ThreadPoolExecutor(max_workers=len(changes)) as pool:
        futures = {change.resource: pool.submit(one, change) for change in changes}
        return {name: future.result() for name, future in futures.items()}


def _settled(client: Any, name: str, *, attempts: int = 120) -> dict[str, Any]:
    """Wait (as function_updated_v2 does, 1 s apart) until the update is no longer in progress."""
    for _ in range(attempts):
        found = client.get_function_configuration(FunctionName=name)
        status = found.get("LastUpdateStatus", "Successful")
        if status == "Failed":
            raise RuntimeError(f"the code update failed: {found.get('LastUpdateStatusReason') or 'no reason given'}")
        if status != "InProgress":
            return _state(found)
        time.sleep(1)
    raise RuntimeError(f"the code update was still in progress after {attempts} s")
