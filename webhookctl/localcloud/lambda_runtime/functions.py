"""A function as the runtime needs it, read from moto's in-process Lambda backend."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from webhookctl.localcloud.lambda_runtime.results import ResourceNotFound


def lambda_backend(account: str, region: str) -> Any:
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    return get_backend("lambda")[account][region]


@dataclass(frozen=True)
class LayerCode:
    arn: str
    sha256: str  # hex digest of the zip
    zip_bytes: bytes = field(repr=False, compare=False)


@dataclass(frozen=True)
class FunctionSpec:
    """One function version's configuration and code, frozen at invoke time."""

    account: str
    region: str
    name: str
    arn: str  # unqualified
    version: str
    handler: str
    runtime: str
    timeout_s: int
    memory_mb: int
    environment: tuple[tuple[str, str], ...]
    code_sha256: str  # hex digest of the zip
    code_zip: bytes = field(repr=False, compare=False)
    layers: tuple[LayerCode, ...] = ()
    reserved_concurrency: int | None = None
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def qualified_arn(self) -> str:
        return f"{self.arn}:{self.version}"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    @property
    def worker_key(self) -> str:
        """Workers are interchangeable only for the same code and configuration."""
        config = [self.arn, self.version, self.handler, self.runtime, self.timeout_s, self.memory_mb,
                  self.environment, self.code_sha256, [layer.sha256 for layer in self.layers]]
        return hashlib.sha256(json.dumps(config).encode()).hexdigest()[:16]

    def tag(self, key: str) -> str | None:
        return dict(self.tags).get(key)


def split_name(function: str, qualifier: str | None) -> tuple[str, str | None]:
    """Name and qualifier from a name, a partial or full ARN, each maybe qualified."""
    if function.startswith("arn:"):
        parts = function.split(":")
        name = parts[6] if len(parts) > 6 else function
        arn_qualifier = parts[7] if len(parts) > 7 else None
    else:
        name, _, arn_qualifier = function.partition(":")
        arn_qualifier = arn_qualifier or None
    return name, qualifier or arn_qualifier


def unknown_function(account: str, region: str, name: str, qualifier: str | None) -> ResourceNotFound:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    if qualifier:
        arn = f"{arn}:{qualifier}"
    return ResourceNotFound(f"Function not found: {arn}")


def load_function(account: str, region: str, function: str, qualifier: str | None = None) -> FunctionSpec:
    """Read a function from moto; raises ResourceNotFound as the Invoke API would."""
    name, qualifier = split_name(function, qualifier)
    backend = lambda_backend(account, region)
    try:
        fn = backend.get_function(name, qualifier)
    except Exception:
        fn = None
    if fn is None:
        raise unknown_function(account, region, name, qualifier)
    layers = []
    for layer in fn.layers:
        layer_version = backend.layers_versions_by_arn(layer["Arn"])
        if layer_version is None:
            raise ResourceNotFound(f"Layer version {layer['Arn']} does not exist.")
        layers.append(LayerCode(arn=layer_version.arn, sha256=layer_version.code_digest, zip_bytes=layer_version.code_bytes))
    latest = backend.get_function(name, None)
    reserved = latest.reserved_concurrency
    return FunctionSpec(
        account=account,
        region=region,
        name=fn.function_name,
        arn=f"arn:aws:lambda:{region}:{account}:function:{fn.function_name}",
        version=str(fn.version),
        handler=fn.handler or "",
        runtime=fn.run_time or "python3.11",
        timeout_s=int(fn.timeout or 3),
        memory_mb=int(fn.memory_size or 128),
        environment=tuple(sorted((str(k), str(v)) for k, v in (fn.environment_vars or {}).items())),
        code_sha256=fn.code_digest,
        code_zip=fn.code_bytes,
        layers=tuple(layers),
        reserved_concurrency=None if reserved in (None, "") else int(reserved),
        tags=tuple(sorted((latest.tags or {}).items())),
    )


def reserved_concurrency_by_function(account: str, region: str) -> dict[str, int]:
    """Reservations of every function in the account/region, from moto."""
    backend = lambda_backend(account, region)
    reservations = {}
    for fn in _latest_functions(backend):
        if fn.reserved_concurrency not in (None, ""):
            reservations[fn.function_name] = int(fn.reserved_concurrency)
    return reservations


def _latest_functions(backend: Any) -> list[Any]:
    """moto's function list, read while other threads may be creating functions."""
    for _ in range(5):
        try:
            return list(backend.list_functions())
        except RuntimeError:  # "dictionary changed size during iteration"
            continue
    return list(backend.list_functions())


def event_invoke_config(account: str, region: str, name: str) -> dict[str, Any]:
    """The function's PutFunctionEventInvokeConfig settings (the latest put wins), or {}."""
    try:
        fn = lambda_backend(account, region).get_function(name, None)
    except Exception:
        return {}
    configs = getattr(fn, "event_invoke_config", None) or []
    return dict(configs[-1].config) if configs else {}
