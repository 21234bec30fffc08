"""`up` of the default config on the local cloud with a round trip per call, timed as whole processes.

    python bench/provision/local_cloud_up.py [--latency-ms 50] [--runs 3] [--json]

On a scratch local cloud started with `--latency-ms` (every AWS call it answers waits that long
first, like a round trip to AWS), in one run:
  * cold `up` (after `down`) with `--max-parallel 1`, then with the default, alternating, `--runs` each;
  * no-op `up` (nothing to change; every resource is still read), `--runs` times.
Medians; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.scratch_cloud import ScratchCloud, scratch_cloud  # noqa: E402

ENV = "bench"
COLD_RATIO_TARGET = 0.3
NOOP_TARGET_S = 1.5


def timed(cloud: ScratchCloud, *args: str) -> tuple[float, dict]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "webhookctl", *args, "--env", ENV, "--target", "local", "--yes", "-o", "json"],
                          env=cloud.environ, cwd=cloud.workdir, capture_output=True, text=True, timeout=900)  # fmt: skip
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"webhookctl {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, json.loads(done.stdout or "{}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    say = (lambda message: print(message, file=sys.stderr, flush=True)) if args.json else print
    load_before = os.getloadavg()
    serial, parallel, noop, noop_calls, cold_calls = [], [], [], {}, {}
    with scratch_cloud(ENV, start_args=("--latency-ms", f"{args.latency_ms:g}")) as cloud:
        say(f"cold up, --max-parallel 1 and the default alternating, {args.runs} each; {args.latency_ms:g} ms per call")
        for _ in range(args.runs):
            for runs, extra in ((serial, ("--max-parallel", "1")), (parallel, ())):
                timed(cloud, "down")
                seconds, result = timed(cloud, "up", *extra)
                runs.append(seconds)
                cold_calls = result.get("api_calls", {})
        say(f"no-op up, {args.runs} times")
        for _ in range(args.runs):
            seconds, result = timed(cloud, "up")
            noop.append(seconds)
            noop_calls = result.get("api_calls", {})
    load_after = os.getloadavg()

    s, p, n = (round(statistics.median(x), 2) for x in (serial, parallel, noop))
    latency = f"local cloud --latency-ms {args.latency_ms:g}"
    rows = [
        {"figure": f"cold `up` of the default config, whole process, {latency} (s)", "baseline": f"{s:.2f} (--max-parallel 1)", "ours": f"{p:.2f}",
         "ratio": f"{p / s:.2f}", "target": f"<= {COLD_RATIO_TARGET:g}x", "met": p / s <= COLD_RATIO_TARGET},
        {"figure": f"no-op `up`, whole process, {latency} (s)", "baseline": "-", "ours": f"{n:.2f} ({noop_calls.get('read', '?')} reads, {noop_calls.get('write', '?')} writes)",
         "ratio": "-", "target": f"<= {NOOP_TARGET_S:g} s, 0 writes", "met": n <= NOOP_TARGET_S and noop_calls.get("write") == 0},
    ]  # fmt: skip
    report = {"latency_ms": args.latency_ms, "cold_up_max_parallel_1_s": serial, "cold_up_default_s": parallel, "noop_up_s": noop,
              "cold_up_api_calls": cold_calls, "noop_up_api_calls": noop_calls, "rows": rows, "cores": os.cpu_count(),
              "load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in load_after]}  # fmt: skip
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for row in rows:
            print(f"{row['figure']}: ours {row['ours']}, baseline {row['baseline']}, ratio {row['ratio']}, target {row['target']}: {'met' if row['met'] else 'MISSED'}")
        print(f"load average before {load_before}, after {load_after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
