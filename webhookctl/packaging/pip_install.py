"""The two pip calls a build makes: resolve requirements to exact versions, and install them into a folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from webhookctl.packaging.targets import BuildTarget
from webhookctl.errors import WebhookctlError


def resolve_pins(requirements: Path, target: BuildTarget) -> list[str]:
    """Exact `name==version` lines that pip would install for `target` (nothing is installed)."""
    with tempfile.TemporaryDirectory(prefix="webhookctl-resolve-") as scratch:
        report = Path(scratch) / "report.json"
        _run_pip(
            ["install", "--dry-run", "--ignore-installed", "--report", str(report), "--target", str(Path(scratch) / "t")]
            + target.pip_options()
            + ["-r", str(requirements)],
            what=f"resolve {requirements}",
            target=target,
        )
        installs = json.loads(report.read_text())["install"]
    pins = {item["metadata"]["name"].lower(): f"{item['metadata']['name'].lower()}=={item['metadata']['version']}" for item in installs}
    return [pins[name] for name in sorted(pins)]


def install_pins(lock: Path, target: BuildTarget, dest: Path) -> None:
    """Install the locked requirements into `dest` (wheels for `target`, no bytecode)."""
    _run_pip(
        ["install", "--ignore-installed", "--no-compile", "--target", str(dest)] + target.pip_options() + ["-r", str(lock)],
        what=f"install {lock.name}",
        target=target,
    )


def _run_pip(args: list[str], *, what: str, target: BuildTarget) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("PIP_USER", "PYTHONPATH", "PIP_TARGET", "PIP_PREFIX")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    command = [sys.executable, "-m", "pip", "--quiet", *args]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    except OSError as exc:
        raise WebhookctlError(f"cannot run pip to {what}: {exc.strerror}") from None
    if completed.returncode != 0:
        raise WebhookctlError(
            f"pip could not {what} for {_describe(target)}: {_pip_error(completed.stderr)}",
            hint=_hint(target),
        )


def _pip_error(stderr: str) -> str:
    """pip's own one-line reason, not its whole output."""
    errors = [line.removeprefix("ERROR:").strip() for line in stderr.splitlines() if line.startswith("ERROR:")]
    if errors:
        return errors[0]
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("WARNING:")]
    return lines[-1] if lines else "pip failed without a message"


def _describe(target: BuildTarget) -> str:
    if target.is_host:
        return f"this machine (Python {target.python_version})"
    return f"Lambda {target.arch} (Python {target.python_version}, manylinux wheels)"


def _hint(target: BuildTarget) -> str:
    if target.is_host:
        return "check the package names and versions in the layer requirements"
    return (
        f"check the package names, and that each one publishes a manylinux {target.arch} "
        f"or pure-Python wheel for Python {target.python_version} (no source builds: nothing is compiled)"
    )
