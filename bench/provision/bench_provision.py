"""Provisioning benchmark: cold / no-op / one-handler-change `up` and `down`, serial vs parallel.

Runs against moto's server with a simulated round trip per API call; prints wall
times, API calls by kind, the ratios and whether each target holds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.config import FUNCTIONS, load_settings
from webhookctl.provision import deploy, teardown
from webhookctl.provision.deployable_code import Artifacts
from webhookctl.provision.models import CodeArtifact

TARGETS = {"noop_writes": 0, "handler_change_writes": 3, "cold_speedup": 3.0}


@dataclass
class DelayedContext(AwsContext):
    """Every API call waits `latency_s` before it is sent, like a round trip to AWS."""

    latency_s: float = 0.05

    def _make_client(self, service: str) -> Any:
        client = super()._make_client(service)
        delay = self.latency_s

        def wait(**_: Any) -> None:
            if delay:
                time.sleep(delay)

        client.meta.events.register("before-send.*.*", wait)
        return client


def _zip(path: Path, files: dict[str, str]) -> CodeArtifact:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return CodeArtifact(path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def artifacts(root: Path, revision: str) -> Artifacts:
    root.mkdir(parents=True, exist_ok=True)
    layer = _zip(root / "layer.zip", {"python/dep/__init__.py": "VERSION = 1\n"})
    functions = {}
    for key in FUNCTIONS:
        body = f"def handler(event, context):\n    return {key!r}, {revision if key == 'receiver' else '0'!r}\n"
        functions[key] = _zip(root / f"{key}-{revision}.zip", {"handler.py": body})
    return Artifacts(layer=layer, layer_hash=layer.sha256, functions=functions)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(endpoint: str, env: str, max_parallel: int, latency_s: float, work: Path) -> dict[str, dict[str, Any]]:
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    settings = load_settings(env)
    first, second = artifacts(work / env / "v1", "1"), artifacts(work / env / "v2", "2")
    figures: dict[str, dict[str, Any]] = {}

    def step(name: str, run: Any) -> None:
        ctx = DelayedContext(session=session, region="us-east-1", target="endpoint", endpoint_url=endpoint, latency_s=latency_s)
        started = time.perf_counter()
        run(ctx)
        figures[name] = {"seconds": round(time.perf_counter() - started, 2), **ctx.counter.as_dict()}

    timeline: dict[str, list[float]] = {}
    graphs: list[dict[str, set[str]]] = []

    def record(event: str, change: Any) -> None:
        timeline.setdefault(change.resource, []).append(time.perf_counter())

    step("cold_up", lambda ctx: deploy.deploy(ctx, settings, first, max_parallel=max_parallel, progress=record, on_plan=lambda plan: graphs.append(plan.graph)))
    figures["cold_up"]["critical_path"] = critical_path(graphs[0], timeline)
    step("noop_up", lambda ctx: deploy.deploy(ctx, settings, first, max_parallel=max_parallel))
    step("handler_change_up", lambda ctx: deploy.deploy(ctx, settings, second, max_parallel=max_parallel))
    step("down", lambda ctx: teardown.teardown(ctx, settings, max_parallel=max_parallel))
    return figures


def critical_path(graph: dict[str, set[str]], timeline: dict[str, list[float]]) -> list[str]:
    """The chain of changes that set the wall time: from the last to finish, back through the latest blocker."""
    done = {name: times[-1] for name, times in timeline.items()}
    start = {name: times[0] for name, times in timeline.items()}
    chain = [max(done, key=done.get)] if done else []
    while chain:
        blockers = [dep for dep in graph[chain[-1]] if dep in done and done[dep] <= start[chain[-1]]]
        if not blockers:
            break
        chain.append(max(blockers, key=done.get))
    first = min(start.values(), default=0.0)
    return [f"{name} {start[name] - first:.2f}-{done[name] - first:.2f}s" for name in reversed(chain)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="simulated round trip per API call")
    parser.add_argument("--parallel", type=int, default=deploy.DEFAULT_MAX_PARALLEL, help="the default --max-parallel to compare with 1")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with tempfile.TemporaryDirectory() as work:
            latency = args.latency_ms / 1000
            serial = measure(f"http://127.0.0.1:{port}", "bench-serial", 1, latency, Path(work))
            parallel = measure(f"http://127.0.0.1:{port}", "bench-parallel", args.parallel, latency, Path(work))
    finally:
        server.stop()

    speedup = {name: round(serial[name]["seconds"] / max(parallel[name]["seconds"], 1e-9), 2) for name in serial}
    checks = {
        "noop_writes == 0": all(run["noop_up"]["write"] == TARGETS["noop_writes"] for run in (serial, parallel)),
        "handler_change_writes <= 3": all(run["handler_change_up"]["write"] <= TARGETS["handler_change_writes"] for run in (serial, parallel)),
        f"cold_up speedup >= {TARGETS['cold_speedup']}x": speedup["cold_up"] >= TARGETS["cold_speedup"],
    }
    report = {"latency_ms": args.latency_ms, "max_parallel_1": serial, f"max_parallel_{args.parallel}": parallel, "speedup": speedup, "targets": checks}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"simulated round trip: {args.latency_ms:g} ms per API call")
        print(f"{'scenario':<20}{'--max-parallel 1':>28}{f'--max-parallel {args.parallel}':>28}{'speedup':>10}")
        for name in serial:
            left, right = serial[name], parallel[name]
            cell = lambda f: f"{f['seconds']:>6.2f}s r{f['read']:>4} w{f['write']:>3}"  # noqa: E731
            print(f"{name:<20}{cell(left):>28}{cell(right):>28}{speedup[name]:>9.2f}x")
        print(f"critical path of the default cold up: {' -> '.join(parallel['cold_up']['critical_path'])}")
        for label, ok in checks.items():
            print(f"target {label}: {'met' if ok else 'NOT met'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
