"""The layer's third-party half: the locked requirements installed for the target, then pruned; cached."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from webhookctl.packaging.bytecode import LAYER_PATH, compile_trees, compiler_key
from webhookctl.packaging.cache import BuildCache, InputHash, discard
from webhookctl.packaging.lockfile import Lock
from webhookctl.packaging import pruning
from webhookctl.packaging.pip_install import install_pins
from webhookctl.packaging.pruning import prune_site
from webhookctl.packaging.targets import BuildTarget

# Bump when installation changes, so cached folders are rebuilt (pruning rules count by their source).
SITE_LAYOUT = "2"

# The services the pipeline calls, plus the X-Ray SDK's own sampling calls.
BASE_SERVICES = frozenset({"dynamodb", "dynamodbstreams", "lambda", "secretsmanager", "logs", "sqs", "sts", "xray"})


def site_key(target: BuildTarget, lock: Lock, services: frozenset[str], bytecode: bool) -> str:
    return (
        InputHash("layer-site")
        .add("layout", SITE_LAYOUT)
        .add("bytecode", compiler_key() if bytecode else "none")
        .add("pruning", Path(pruning.__file__).read_bytes())
        .add("target", target.key())
        .add("pins", "\n".join(lock.pins))
        .add("services", ",".join(sorted(services)))
        .hexdigest()
    )


def installed_site(
    cache: BuildCache, key: str, lock: Lock, target: BuildTarget, services: frozenset[str], bytecode: bool, say: Callable[[str], None]
) -> Path:
    """The cached `python/` folder for `key`, installing and pruning it first when absent."""
    ready = cache.site(key)
    if ready is not None:
        return ready
    scratch = cache.new_site(key)
    try:
        (scratch / "python").mkdir()
        if lock.pins:
            say(f"installing {len(lock.pins)} locked requirements for {target.arch} (Python {target.python_version})")
            install_pins(lock.path, target, scratch / "python")
        say("pruning what Lambda never reads")
        prune_site(scratch / "python", services)
        if bytecode:
            say("compiling reproducible bytecode for the layer")
            compile_trees([(scratch / "python", LAYER_PATH)])
        return cache.commit_site(key, scratch)
    except BaseException:
        discard([scratch])
        raise
