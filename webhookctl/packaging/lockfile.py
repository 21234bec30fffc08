"""The lock file: requirements.txt resolved once to exact versions, so the same inputs fetch the same wheels."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from webhookctl.packaging.targets import BuildTarget
from webhookctl.errors import UsageError

_HEADER = "# Resolved from {name} by `webhookctl build`; delete this file to resolve again.\n"
_INPUT = "# requirements-sha256: "
_FOR = "# resolved-for: "

Resolver = Callable[[Path, BuildTarget], list[str]]


@dataclass(frozen=True)
class Lock:
    path: Path
    pins: tuple[str, ...]
    resolved_now: bool


def lock_path_for(requirements: Path) -> Path:
    """`layer/requirements.txt` -> `layer/requirements.lock`."""
    return requirements.with_suffix(".lock")


def locked_requirements(requirements: Path, target: BuildTarget, cache_dir: Path, resolve: Resolver) -> Lock:
    """The lock for `requirements`, resolving (for the Lambda target) only when the requirements changed."""
    if not requirements.is_file():
        raise UsageError(f"layer requirements file not found: {requirements}", hint="set [build] layer_requirements in webhookctl.toml")
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    beside = lock_path_for(requirements)
    cached = cache_dir / "locks" / f"{digest}.lock"
    for candidate in (beside, cached):
        pins = _read_if_current(candidate, digest)
        if pins is not None:
            return Lock(candidate, pins, resolved_now=False)
    pins = tuple(resolve(requirements, target))
    text = _HEADER.format(name=requirements.name) + f"{_INPUT}{digest}\n{_FOR}{target.key()}\n" + "".join(p + "\n" for p in pins)
    for candidate in (beside, cached):
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            candidate.write_text(text)
            return Lock(candidate, pins, resolved_now=True)
        except OSError:
            continue  # e.g. requirements shipped read-only inside the installed package
    raise UsageError(f"cannot write a lock file beside {requirements} or under {cache_dir}")


def _read_if_current(path: Path, digest: str) -> tuple[str, ...] | None:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    if f"{_INPUT}{digest}" not in lines:
        return None
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
