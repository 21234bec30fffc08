"""At start: is this moto one the bridge was tested with? Each patch is checked by its fingerprint.

A patch whose moto source matches a tested fingerprint is installed. One that differs is left to
moto (one warning line on stderr, which is the local cloud's log), unless correctness depends on
it: then the process says so in one sentence and exits 1 before serving anything.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge import patches
from webhookctl.localcloud.moto_bridge.patching import original

# patch name -> True (install) / False (leave to moto); decided once per process.
_DECIDED: dict[str, bool] = {}


def moto_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("moto")
    except PackageNotFoundError:  # pragma: no cover - moto is a dependency
        return "unknown"


def moto_source(target: str) -> str:
    """The source of moto's own function at "module:Owner.attribute" (not the bridge's stand-in)."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *owners, name = path.split(".")
    for step in owners:
        owner = getattr(owner, step)
    value = original(owner, name)
    value = getattr(value, "fget", value)  # a property: its getter
    value = getattr(value, "__wrapped__", value)
    return inspect.getsource(value)


def fingerprint(patch: patches.Patch) -> str:
    """sha256 over the sources of the patch's targets, in order; "missing" when one is gone."""
    digest = hashlib.sha256()
    for target in patch.targets:
        try:
            digest.update(moto_source(target).encode())
        except (ImportError, AttributeError, OSError, TypeError):
            return "missing"
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def refusal(patch: patches.Patch) -> str:
    return (f"moto {moto_version()} is not supported by the local cloud (it was tested with moto "
            f"{patches.SUPPORTED_RANGE}; its {patch.targets[0]} differs): install a moto in that range")


def decide(name: str) -> bool:
    """Whether the bridge installs patch `name` over this moto; exits 1 where moto's own code would be wrong."""
    if name in _DECIDED:
        return _DECIDED[name]
    if not _DECIDED and moto_version() not in patches.TESTED_VERSIONS:
        print(f"warning: moto {moto_version()} is not one the local cloud was tested with "
              f"({', '.join(patches.TESTED_VERSIONS)}); only patches over unchanged moto source go in",
              file=sys.stderr, flush=True)
    patch = patches.BY_NAME[name]
    tested = fingerprint(patch) in patches.TESTED.get(name, frozenset())
    if not tested and patch.needed:
        print(f"error: {refusal(patch)}", file=sys.stderr, flush=True)
        raise SystemExit(1)
    if not tested:
        print(f"warning: moto {moto_version()}: {name} left to moto's own code (its source differs from the "
              f"tested one): slower, same answers", file=sys.stderr, flush=True)
    _DECIDED[name] = tested
    return tested


def check_all() -> None:
    """Decide every patch now (the server does this first, so a refusal comes before anything starts)."""
    for patch in patches.PATCHES:
        decide(patch.name)


def guarded(install: Callable[[], Any]) -> Callable[[], Any]:
    """install(), when the guard lets the patch of that name in."""
    def run() -> Any:
        return install() if decide(install.__name__) else None

    run.__name__ = install.__name__
    run.__doc__ = install.__doc__
    return run


def forget() -> None:
    """Decide again on the next start (tests that change moto's source use it)."""
    _DECIDED.clear()
