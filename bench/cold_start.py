"""Receiver cold start: a fresh interpreter importing the built receiver, against `python -c "import boto3"`.

The receiver runs as on Lambda: its zip and the layer zip (built for this machine, `--arch host`)
are unpacked into a scratch folder, and the interpreter starts isolated (-I -S) with only the code
and the layer's python/ folder on its path. It imports `handler`, which is what Lambda's init phase
does. Lambda's /opt and /var/task are read-only, so the interpreter runs with -B: it can use the
bytecode shipped in the zips but cannot write any.

    python bench/cold_start.py [--runs 15] [--config webhookctl.toml] [--check]
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
import zipfile
from pathlib import Path

# The receiver needs boto3 anyway; what it adds (signature schemes, X-Ray, its own code) must stay small.
TARGET_RATIO = 1.3  # the target: receiver cold start <= 1.3 x `import boto3`

RECEIVER_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    "AWS_XRAY_SDK_ENABLED": "false",
    "WEBHOOKCTL_ENV": "bench",
    "EVENTS_TABLE": "bench-events",
    "PROCESSOR_FUNCTION": "bench-processor",
    "SECRET_ID": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
    "PROVIDERS_ENABLED": "stripe",
}


def median_seconds(command: list[str], runs: int, *, cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)  # warm the file cache, fail early
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--config", default=None)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args()

    from webhookctl.packaging import build_artifacts
    from webhookctl.config import load_settings

    settings = load_settings("dev", args.config)
    with tempfile.TemporaryDirectory(prefix="webhookctl-cold-") as scratch:
        root = Path(scratch)
        built = build_artifacts(settings, "host", root / "zips")
        with zipfile.ZipFile(built.layer.path) as layer:
            layer.extractall(root / "opt")
        with zipfile.ZipFile(built.functions["receiver"].path) as code:
            code.extractall(root / "task")
        env = {"PATH": os.environ.get("PATH", ""), **RECEIVER_ENV}
        init = f"import sys; sys.path[:0] = [{str(root / 'task')!r}, {str(root / 'opt' / 'python')!r}]; import handler"
        ours = median_seconds([sys.executable, "-I", "-S", "-B", "-c", init], args.runs, cwd=root, env=env)
    baseline = median_seconds([sys.executable, "-c", "import boto3"], args.runs)

    ratio = ours / baseline
    if args.json:
        row = {"figure": "receiver cold start, fresh interpreter (ms)", "baseline": f"{baseline * 1000:.0f} (import boto3)", "ours": f"{ours * 1000:.0f}",
               "ratio": f"{ratio:.2f}", "target": f"<= {TARGET_RATIO:g}", "met": ratio <= TARGET_RATIO}  # fmt: skip
        print(json.dumps({"runs": args.runs, "baseline_s": baseline, "ours_s": ours, "ratio": ratio, "rows": [row]}, indent=2))
        return 1 if args.check and ratio > TARGET_RATIO else 0
    print(f"receiver cold start (fresh interpreter, median of {args.runs}; zips carry bytecode: {built.bytecode})")
    print(f"baseline  python -c 'import boto3':                      {baseline * 1000:7.1f} ms")
    print(f"ours      import handler, layer + code only, read-only:  {ours * 1000:7.1f} ms")
    print(f"ratio: {ratio:.2f}   target: <= {TARGET_RATIO:.2f}   {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
