"""checkov in a venv of its own, installed from requirements/checkov-lock.txt and cached between runs.

checkov is heavy and pins libraries of its own, so it never shares the test venv. The venv is
keyed by the lock's hash; a build holds a lock file, so a second caller (another test worker,
another checkout on the machine, or `.ci/run` building it ahead while pip installs the project)
waits for that build instead of starting its own, and a venv counts only once its install has
finished. Standard library only: `python tests/checkov_venv.py` builds it before the project is
installed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parents[1] / "requirements" / "checkov-lock.txt"
COMPLETE = ".installed"  # written in the venv after pip finished


def venv_dir() -> Path:
    cache = Path(os.environ.get("WEBHOOKCTL_CACHE") or Path.home() / ".cache" / "webhookctl")
    return cache / f"checkov-{hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]}"


def ensure_checkov(python: str = sys.executable) -> str | None:
    """CHECKOV, a checkov on PATH, or the cached venv's (built now if missing); None if it cannot be installed."""
    found = os.environ.get("CHECKOV") or shutil.which("checkov")
    if found:
        return found
    venv = venv_dir()
    checkov = venv / "bin" / "checkov"
    if (venv / COMPLETE).exists():
        return str(checkov)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another build of the same venv: wait for it
        if (venv / COMPLETE).exists() or _runs(checkov):  # _runs: a venv built before the marker existed
            (venv / COMPLETE).touch()
            return str(checkov)
        shutil.rmtree(venv, ignore_errors=True)  # a build that died half-way
        try:
            subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-c", str(LOCK), "checkov"],
                           check=True, capture_output=True, timeout=900)
        except (OSError, subprocess.SubprocessError):
            shutil.rmtree(venv, ignore_errors=True)
            return None
        (venv / COMPLETE).write_text("")
    return str(checkov)


def _runs(checkov: Path) -> bool:
    try:
        return checkov.exists() and subprocess.run([str(checkov), "--version"], capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


if __name__ == "__main__":
    built = ensure_checkov()
    print(built or "checkov could not be installed", file=sys.stderr)
    sys.exit(0 if built else 1)
