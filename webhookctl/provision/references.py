"""References to other resources' outputs, resolved when the plan runs (apply) or shown as unknown (plan)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Ref:
    """The output `output` of the resource with logical name `resource`; `suffix` is appended."""

    resource: str
    output: str
    suffix: str = ""

    def __str__(self) -> str:
        return f"${{{self.resource}.{self.output}}}{self.suffix}"


class _Unknown:
    """A value that is known only once the resource it comes from has been created or updated."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"

    def __str__(self) -> str:
        return "(known after apply)"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def references(value: Any) -> set[str]:
    """Logical names of every resource that `value` (a model, or anything inside one) refers to."""
    found: set[str] = set()
    _walk(value, lambda ref: found.add(ref.resource) or ref)
    return found


def resolve(value: Any, outputs: Mapping[str, Mapping[str, Any]]) -> Any:
    """`value` with every Ref replaced by its output; a Ref to an output not yet known becomes UNKNOWN."""

    def lookup(ref: Ref) -> Any:
        known = outputs.get(ref.resource)
        if known is None or ref.output not in known or known[ref.output] is UNKNOWN:
            return UNKNOWN
        result = known[ref.output]
        return f"{result}{ref.suffix}" if ref.suffix else result

    return _walk(value, lookup)


def contains_unknown(value: Any) -> bool:
    """True when `value` holds UNKNOWN anywhere."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(contains_unknown(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(contains_unknown(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def _walk(value: Any, on_ref: Any) -> Any:
    if isinstance(value, Ref):
        return on_ref(value)
    if isinstance(value, dict):
        return {k: _walk(v, on_ref) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, on_ref) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, on_ref) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _walk(getattr(value, f.name), on_ref) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value
