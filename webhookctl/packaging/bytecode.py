"""Reproducible bytecode for the zips, because Lambda's read-only /opt and /var/task cannot cache any.

Without bytecode every cold start compiles each imported module again (measured: about 3x slower
for the receiver). The files are written the way reproducible builds need: unchecked-hash pycs (no
source mtimes), a fixed hash seed (set and frozenset constants keep one order), one process working
in sorted order, and the paths Lambda will see (/opt/python, /var/task) in place of the scratch folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from webhookctl.packaging.targets import BuildTarget
from webhookctl.errors import WebhookctlError

LAYER_PATH = "/opt/python"
TASK_PATH = "/var/task"

# Runs in a fresh interpreter so the hash seed and the interpreter state are the same on every build.
# A file that does not compile (e.g. Python 2 leftovers in a package) simply gets no bytecode.
_COMPILER = """\
import importlib.util, json, py_compile, sys
for source, shown in json.load(sys.stdin):
    try:
        py_compile.compile(source, cfile=importlib.util.cache_from_source(source), dfile=shown,
                           doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except (py_compile.PyCompileError, SyntaxError, ValueError):
        pass
"""


def can_compile_for(target: BuildTarget) -> bool:
    """Bytecode is specific to the Python minor version; only this interpreter's version can be written."""
    return target.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"


def compiler_key() -> str:
    """What the bytecode depends on, for cache keys: the exact interpreter build."""
    return f"{sys.implementation.cache_tag}:{sys.version}"


def compile_trees(trees: list[tuple[Path, str]]) -> None:
    """Write __pycache__/*.pyc for every .py below each root, recording its path as shown_as/relative."""
    jobs = [
        (str(path), f"{shown_as}/{path.relative_to(root).as_posix()}")
        for root, shown_as in trees
        for path in sorted(root.rglob("*.py"))
        if "__pycache__" not in path.parts
    ]
    if not jobs:
        return
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    try:
        completed = subprocess.run([sys.executable, "-I", "-c", _COMPILER], input=json.dumps(jobs), env=env, capture_output=True, text=True)
    except OSError as exc:
        raise WebhookctlError(f"cannot compile bytecode: {exc.strerror}") from None
    if completed.returncode != 0:
        raise WebhookctlError(f"bytecode compilation failed: {completed.stderr.strip().splitlines()[-1:]}")
