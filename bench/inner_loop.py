"""The inner loop a developer waits on all day, on a throwaway local cloud, timed as whole processes.

    python bench/inner_loop.py [--runs 5] [--cycles 3] [--json] [--check]

1. `send-test stripe` on a warm cloud (one event followed to PROCESSED and its audit line), whole
   process, alternating with `webhookctl --help` (the CLI's bare start-up) in the same run.
2. The first `send-test` after `up`: `down`, `up`, then the first send-test, then a second one
   (the warm baseline of that cycle).
3. Edit one handler (the processor prints a new marker), then `up` + `send-test`, alternating with
   the same edit followed by `down` + `up` + `send-test`; each ends only once the event is PROCESSED,
   and the processor's log must show the new marker (so the new code ran). `up` after an edit of
   handler code only takes the code-only path (webhookctl/provision/code_only.py); after a `down`
   it takes the full one.

Where the time of one warm send-test, and of one `up` after an edit, goes comes from
`inner_loop_probe.py`: the same command with a stopwatch on each phase. Medians throughout; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scratch_cloud import ScratchCloud, scratch_cloud, wait_until_quiet  # noqa: E402

ENV = "bench"
WARM_TARGET_S = 1.0
FIRST_TARGET_S = 1.5
EDIT_TARGET_S = 3.0
EDIT_TARGET_RATIO = 0.3
PROCESSOR_HANDLER = Path("handlers") / "payment_processor" / "handler.py"


def timed(cloud: ScratchCloud, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "webhookctl", *args], env=cloud.environ, cwd=cloud.workdir, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"webhookctl {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done


def send_test(cloud: ScratchCloud) -> float:
    seconds, done = timed(cloud, "send-test", "stripe", "--env", ENV, "--target", "local", "-o", "json")
    result = json.loads(done.stdout)["results"][0]
    if result["final_status"] != "PROCESSED" or not result["audit_logged"]:
        sys.exit(f"send-test did not reach PROCESSED and its audit line: {result}")
    return seconds


def up(cloud: ScratchCloud) -> float:
    return timed(cloud, "up", "--env", ENV, "--target", "local", "--yes", "-o", "json")[0]


def down(cloud: ScratchCloud) -> float:
    return timed(cloud, "down", "--env", ENV, "--target", "local", "--yes", "-o", "json")[0]


def edit_processor(cloud: ScratchCloud, original: str) -> str:
    """The processor handler rewritten to print a fresh marker on every invocation; returns the marker."""
    marker = f"inner-loop-edit-{uuid.uuid4().hex[:12]}"
    wrapped = f"\n\n_previous_handler = handler\n\n\ndef handler(event, context):\n    print({marker!r})\n    return _previous_handler(event, context)\n"
    (cloud.workdir / PROCESSOR_HANDLER).write_text(original + wrapped)
    return marker


def ran_new_code(cloud: ScratchCloud, marker: str) -> bool:
    import boto3

    logs = boto3.client("logs", endpoint_url=cloud.endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
    group = f"/aws/lambda/{cloud.outputs['ProcessorFunctionName']}"
    return bool(logs.filter_log_events(logGroupName=group, filterPattern=f'"{marker}"').get("events"))


def probed(cloud: ScratchCloud, *args: str) -> tuple[dict[str, Any], float, float]:
    """One command through inner_loop_probe.py: (its phases document, wall seconds, start epoch)."""
    out = Path(tempfile.mkdtemp(prefix="inner-loop-probe-")) / "phases.json"
    started_epoch = time.time()
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(REPO / "bench" / "inner_loop_probe.py"), str(out), *args],
                          env=cloud.environ, cwd=cloud.workdir, capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"the probed {args[0]} failed: {done.stderr}")
    return json.loads(out.read_text()), wall, started_epoch


def _parts(probe: dict[str, Any], wall: float, started_epoch: float, inner: dict[str, float]) -> dict[str, float]:
    phases = probe["phases_s"]
    start = {"interpreter start": max(0.0, probe["interpreter_up_epoch"] - started_epoch), "CLI imports": probe["imports_s"]}
    inside = phases.get("settings", 0.0) + phases.get("target", 0.0) + sum(inner.values())
    parts = {
        **start,
        "option parsing": max(0.0, probe["probe_total_s"] - probe["imports_s"] - inside - probe["after_operation_s"]),
        "settings": phases.get("settings", 0.0),
        "target (boto3 import, local cloud check)": phases.get("target", 0.0),
        **inner,
        "rendering and exit": probe["after_operation_s"],
    }
    parts["(exit, unaccounted)"] = max(0.0, wall - sum(parts.values()))
    return {name: round(value, 3) for name, value in parts.items()} | {"whole process": round(wall, 3)}


def breakdown(cloud: ScratchCloud) -> dict[str, float]:
    """One warm send-test through the probe: where its wall time went (seconds)."""
    probe, wall, began = probed(cloud, "send-test", "stripe", "--env", ENV, "--target", "local", "-o", "json")
    phases = probe["phases_s"]
    inner = {
        "discovery (5 reads at once)": phases.get("discovery", 0.0),
        "signing": phases.get("signing", 0.0),
        "HTTP post": phases.get("http", 0.0),
        "waiting for PROCESSED + audit line": phases.get("waiting", 0.0),
    }
    return _parts(probe, wall, began, inner)


def up_breakdown(cloud: ScratchCloud, original: str) -> dict[str, float]:
    """Edit the processor, then one `up` through the probe: where its wall time went (seconds)."""
    edit_processor(cloud, original)
    probe, wall, began = probed(cloud, "up", "--env", ENV, "--target", "local", "--yes", "-o", "json")
    phases = probe["phases_s"]
    named = ("build", "code-only path", "preflight", "discovery + apply", "record")
    inner = {name: phases.get(name, 0.0) for name in named if name in phases}
    inner["rest of up (target, desired state)"] = max(0.0, phases.get("operation", 0.0) - sum(inner.values()))
    send_test(cloud)  # the edit reaches PROCESSED before the next measurement
    return _parts(probe, wall, began, inner)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="alternating pairs for the warm send-test")
    parser.add_argument("--cycles", type=int, default=3, help="cycles for the first-after-up and edit measurements")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    say = (lambda message: print(message, file=sys.stderr, flush=True)) if args.json else print
    load_before = os.getloadavg()

    with scratch_cloud(ENV, handlers=REPO / "handlers") as cloud:
        original = (cloud.workdir / PROCESSOR_HANDLER).read_text()
        wait_until_quiet(cloud.pid)
        send_test(cloud)  # the first after the scratch cloud's own up; measured below in its own cycles
        say(f"warm send-test, {args.runs} pairs alternating with `webhookctl --help`")
        warm, help_s = [], []
        for _ in range(args.runs):
            warm.append(send_test(cloud))
            help_s.append(timed(cloud, "--help")[0])
        phases = breakdown(cloud)

        say(f"first send-test after down + up, {args.cycles} cycles")
        first, second, cold_up = [], [], []
        for _ in range(args.cycles):
            down(cloud)
            cold_up.append(up(cloud))
            first.append(send_test(cloud))
            second.append(send_test(cloud))

        say(f"edit the processor, then up + send-test; alternating with edit, down + up + send-test; {args.cycles} each")
        ours, baseline, not_new = [], [], 0
        for _ in range(args.cycles):
            marker = edit_processor(cloud, original)
            started = time.monotonic()
            up(cloud)
            send_test(cloud)
            ours.append(time.monotonic() - started)
            not_new += not ran_new_code(cloud, marker)
            marker = edit_processor(cloud, original)
            started = time.monotonic()
            down(cloud)
            up(cloud)
            send_test(cloud)
            baseline.append(time.monotonic() - started)
            not_new += not ran_new_code(cloud, marker)
        up_phases = up_breakdown(cloud, original)
    load_after = os.getloadavg()

    report = figures(warm, help_s, first, second, cold_up, ours, baseline, not_new, phases, up_phases)
    report |= {"load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in load_after], "cores": os.cpu_count()}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for row in report["rows"]:
            print(f"{row['figure']}: ours {row['ours']}, baseline {row['baseline']}, ratio {row['ratio']}, target {row['target']}: {({True: 'met', False: 'MISSED', None: '-'})[row['met']]}")
        print("where one warm send-test's time goes (s): " + ", ".join(f"{k} {v}" for k, v in phases.items()))
        print("where `up` after an edit spends its time (s): " + ", ".join(f"{k} {v}" for k, v in report["up_after_edit_phases_s"].items()))
        print(f"load average before {load_before}, after {load_after}")
    return 1 if args.check and not all(row["met"] for row in report["rows"] if row["met"] is not None) else 0


def figures(warm, help_s, first, second, cold_up, ours, baseline, not_new, phases, up_phases) -> dict[str, Any]:
    w, h, f, s, o, b = (median(x) for x in (warm, help_s, first, second, ours, baseline))
    edit_ratio = o / b
    rows = [
        {"figure": "`send-test stripe` on a warm local cloud, to PROCESSED + audit line, whole process (s)",
         "baseline": f"{h:.2f} (webhookctl --help)", "ours": f"{w:.2f}", "ratio": f"{w / h:.2f}", "target": f"<= {WARM_TARGET_S:g} s", "met": w <= WARM_TARGET_S},
        {"figure": "first `send-test` after `up`, whole process (s)", "baseline": f"{s:.2f} (the next send-test)", "ours": f"{f:.2f}",
         "ratio": f"{f / s:.2f}", "target": f"<= {FIRST_TARGET_S:g} s", "met": f <= FIRST_TARGET_S},
        {"figure": "edit one handler, `up`, `send-test` to PROCESSED with the new code (s)", "baseline": f"{b:.2f} (edit, down + up + send-test)",
         "ours": f"{o:.2f}", "ratio": f"{edit_ratio:.2f}", "target": f"<= {EDIT_TARGET_S:g} s and <= {EDIT_TARGET_RATIO:g}x",
         "met": o <= EDIT_TARGET_S and edit_ratio <= EDIT_TARGET_RATIO and not_new == 0},
        {"figure": "where a warm `send-test` spends its time (s)", "baseline": "-",
         "ours": "; ".join(f"{k} {v:.3f}" for k, v in phases.items() if k != "whole process"), "ratio": "-", "target": "reported", "met": None},
        {"figure": "where `up` after a one-handler edit spends its time (s)", "baseline": "-",
         "ours": "; ".join(f"{k} {v:.3f}" for k, v in up_phases.items() if k != "whole process") + f"; whole process {up_phases['whole process']:.3f}",
         "ratio": "-", "target": "reported", "met": None},
    ]  # fmt: skip
    return {
        "warm_send_test_s": warm, "help_s": help_s, "first_after_up_s": first, "second_after_up_s": second, "cold_up_s": cold_up,
        "edit_up_send_s": ours, "edit_down_up_send_s": baseline, "runs_without_the_new_code": not_new, "phases_s": phases,
        "up_after_edit_phases_s": up_phases, "rows": rows,
    }  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
