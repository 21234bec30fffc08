"""CLI start-up: the whole `webhookctl --help` process against `chalice --help`.

chalice is only the yardstick: install it in a throwaway virtualenv, never into the project,
and pass its executable:

    python -m venv /tmp/chalice-venv && /tmp/chalice-venv/bin/pip install chalice
    python bench/cli_startup.py --chalice /tmp/chalice-venv/bin/chalice [--runs 20] [--check]

Both tools are measured as users get them: webhookctl is installed with `pip install .` into a
throwaway virtualenv of its own (made once, reused), like chalice, so both start from installed
bytecode and neither pays for an editable checkout or the host's site-packages. The runs alternate
A B A B so a drifting machine affects both alike.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 0.5
REPO = Path(__file__).resolve().parent.parent
WEBHOOKCTL_VENV = Path(tempfile.gettempdir()) / "webhookctl-bench-cli-venv"


def installed_webhookctl() -> str:
    """webhookctl from `pip install .` in a throwaway venv (reinstalled when the checkout changed)."""
    executable = WEBHOOKCTL_VENV / "bin" / "webhookctl"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(WEBHOOKCTL_VENV)], check=True)
    subprocess.run([str(WEBHOOKCTL_VENV / "bin" / "pip"), "install", "-q", "--force-reinstall", "--no-deps", str(REPO)],
                   check=True, capture_output=True)
    subprocess.run([str(WEBHOOKCTL_VENV / "bin" / "pip"), "install", "-q", str(REPO)], check=True, capture_output=True)
    return str(executable)


def alternating_medians(a: list[str], b: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds of each command, run A B A B after one warm-up each."""
    samples: dict[int, list[float]] = {0: [], 1: []}
    for command in (a, b):
        subprocess.run(command, check=True, capture_output=True)  # warm the file cache, fail early
    for _ in range(runs):
        for index, command in enumerate((a, b)):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            samples[index].append(time.perf_counter() - started)
    return statistics.median(samples[0]), statistics.median(samples[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chalice", default=shutil.which("chalice") or "/tmp/chalice-venv/bin/chalice")
    parser.add_argument("--webhookctl", default=None, help="an installed webhookctl (default: pip install . into a throwaway venv)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args()
    if not shutil.which(args.chalice):
        print(f"chalice not found at {args.chalice}; see the instructions at the top of this file", file=sys.stderr)
        return 2

    webhookctl = args.webhookctl or installed_webhookctl()
    ours, baseline = alternating_medians([webhookctl, "--help"], [args.chalice, "--help"], args.runs)
    ratio = ours / baseline
    if args.json:
        row = {"figure": "`webhookctl --help`, whole process (ms)", "baseline": f"{baseline * 1000:.0f} (chalice --help)", "ours": f"{ours * 1000:.0f}",
               "ratio": f"{ratio:.2f}", "target": f"<= {TARGET_RATIO:g}", "met": ratio <= TARGET_RATIO}  # fmt: skip
        print(json.dumps({"runs": args.runs, "baseline_s": baseline, "ours_s": ours, "ratio": ratio, "rows": [row]}, indent=2))
        return 1 if args.check and ratio > TARGET_RATIO else 0
    print(f"--help, whole process, median of {args.runs}")
    print(f"baseline  chalice --help:     {baseline * 1000:7.1f} ms")
    print(f"ours      webhookctl --help:  {ours * 1000:7.1f} ms")
    print(f"ratio: {ratio:.2f}   target: <= {TARGET_RATIO:.2f}   {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
