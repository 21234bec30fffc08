"""CLI start-up: the whole `webhookctl --help` process against `chalice --help`.

chalice is only the yardstick: install it in a throwaway virtualenv, never into the project,
and pass its executable:

    python -m venv /tmp/chalice-venv && /tmp/chalice-venv/bin/pip install chalice
    python bench/cli_startup.py --chalice /tmp/chalice-venv/bin/chalice [--runs 20] [--check]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time

TARGET_RATIO = 0.5


def median_seconds(command: list[str], runs: int) -> float:
    subprocess.run(command, check=True, capture_output=True)  # warm the file cache, fail early
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chalice", default=shutil.which("chalice") or "/tmp/chalice-venv/bin/chalice")
    parser.add_argument("--webhookctl", default=shutil.which("webhookctl") or "webhookctl")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args()
    if not shutil.which(args.chalice):
        print(f"chalice not found at {args.chalice}; see the instructions at the top of this file", file=sys.stderr)
        return 2

    baseline = median_seconds([args.chalice, "--help"], args.runs)
    ours = median_seconds([args.webhookctl, "--help"], args.runs)
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
