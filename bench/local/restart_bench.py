"""`local start` to ready with 10,000 stored events, beside the same start with empty state (run by hand).

In one run, each on its own WEBHOOKCTL_HOME and free port:
  * once: an env deployed with `up`, its table filled with 10,000 PROCESSED events (BatchWriteItem,
    so the stream pipeline audits each one), then `local stop`;
  * each of --rounds rounds, one after another: an empty-state `local start` to ready (the
    baseline, a fresh home each time); `local start` of the full home after `local stop` (the state
    comes back from the snapshots); 20 more events sent (journaled, in no snapshot yet), a kill -9 of
    the server and `local start` (snapshots plus journals); `local stop`;
  * the pipeline rate (`send-test stripe --count N --concurrency 16`, sent to PROCESSED) with the
    state kept in memory only (WEBHOOKCTL_LOCAL_STATE=memory) and with it saved (--rate-count 0 skips it).

Start times are medians over the rounds; the load average is printed before and after.

    python bench/local/restart_bench.py [--events 10000] [--rounds 3] [--rate-count 300]
"""

from __future__ import annotations

import argparse
import json
import re
import os
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH_CONFIG = "[waf]\nrate_limit = 2000000000\nwindow_s = 300\n\n[api]\nrate_limit = 10000\nburst_limit = 5000\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cloud:
    def __init__(self, root: Path, memory_only: bool = False):
        self.port = free_port()
        self.config = root / "webhookctl.toml"
        self.config.write_text(BENCH_CONFIG)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEBHOOKCTL_"))}
        self.env.update(WEBHOOKCTL_HOME=str(root / "home"), WEBHOOKCTL_LOCAL_PORT=str(self.port),
                        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true")
        if memory_only:
            self.env["WEBHOOKCTL_LOCAL_STATE"] = "memory"

    def run(self, *args: str, timeout: float = 900) -> dict:
        result = subprocess.run([sys.executable, "-m", "webhookctl", *args, "-o", "json"], capture_output=True, text=True,
                                env=self.env, cwd=self.config.parent, timeout=timeout)
        if result.returncode != 0:
            sys.exit(f"failed: webhookctl {' '.join(args)}\n{result.stderr[-3000:]}")
        return json.loads(result.stdout)

    def start(self) -> float:
        """Seconds from `local start` to ready, as the whole command sees it."""
        began = time.monotonic()
        self.run("local", "start", "--port", str(self.port), "--config", str(self.config), timeout=120)
        return time.monotonic() - began

    def env_args(self, env: str) -> list[str]:
        return ["--env", env, "--target", "local", "--config", str(self.config)]

    def client(self, service: str):
        import boto3

        return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{self.port}",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


def fill(cloud: Cloud, table: str, template: dict, count: int) -> None:
    dynamodb = cloud.client("dynamodb")
    for start in range(0, count, 25):
        items = []
        for n in range(start, min(count, start + 25)):
            item = dict(template)
            item["event_key"] = {"S": f"stripe#evt_bench_{n:06d}"}
            item["event_id"] = {"S": f"evt_bench_{n:06d}"}
            items.append({"PutRequest": {"Item": item}})
        dynamodb.batch_write_item(RequestItems={table: items})


def count_items(cloud: Cloud, table: str) -> int:
    pages = cloud.client("dynamodb").get_paginator("scan").paginate(TableName=table, Select="COUNT")
    return sum(page["Count"] for page in pages)


def pipeline_rate(root: Path, memory_only: bool, count: int) -> float:
    cloud = Cloud(root, memory_only)
    cloud.start()
    try:
        cloud.run("up", *cloud.env_args("rate"), "--yes")
        sent = cloud.run("send-test", "stripe", *cloud.env_args("rate"), "--count", str(count), "--concurrency", "16", "--timeout", "300")
        if sent["summary"]["processed"] != count:
            sys.exit(f"only {sent['summary']['processed']} of {count} were processed")
        return count / sent["summary"]["seconds"]
    finally:
        cloud.run("local", "stop")


def filled_cloud(root: Path, events: int) -> tuple[Cloud, dict]:
    """A stopped local cloud whose saved state holds an env and `events` PROCESSED events."""
    cloud = Cloud(root)
    cloud.start()
    outputs = cloud.run("up", *cloud.env_args("bench"), "--yes")["outputs"]
    sent = cloud.run("send-test", "stripe", *cloud.env_args("bench"), "--count", "1")
    key = sent["results"][0]["event_key"]
    template = cloud.client("dynamodb").get_item(TableName=outputs["EventsTableName"], Key={"event_key": {"S": key}})["Item"]
    fill(cloud, outputs["EventsTableName"], template, events)
    time.sleep(5)  # let the stream pipeline audit them
    cloud.run("local", "stop")
    return cloud, outputs


def kill_server(cloud: Cloud) -> None:
    pid = cloud.run("local", "status")["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while cloud.run("local", "status")["running"] and time.monotonic() < deadline:
        time.sleep(0.1)


def start_rounds(root: Path, cloud: Cloud, outputs: dict, rounds: int) -> dict[str, list]:
    """Per round: an empty start, a start after `local stop`, a start after kill -9 (with journaled changes)."""
    found: dict[str, list] = {"empty": [], "stopped": [], "killed": [], "stored": [], "after_kill": []}
    table = outputs["EventsTableName"]
    for round_ in range(rounds):
        empty_root = root / f"empty-{round_}"
        empty_root.mkdir()
        empty = Cloud(empty_root)
        found["empty"].append(empty.start())
        empty.run("local", "stop")
        shutil.rmtree(empty_root)

        found["stopped"].append(cloud.start())
        found["stored"].append(count_items(cloud, table))
        cloud.run("send-test", "stripe", *cloud.env_args("bench"), "--count", "20")  # journaled, not yet in a snapshot
        kill_server(cloud)
        found["killed"].append(cloud.start())
        found["after_kill"].append(count_items(cloud, table))
        cloud.run("local", "stop")
        print(f"round {round_ + 1}: empty {found['empty'][-1]:.2f} s, after stop {found['stopped'][-1]:.2f} s, "
              f"after kill -9 {found['killed'][-1]:.2f} s (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
    return found


def state_loading(log: Path) -> dict[str, list[float]]:
    """Seconds each process took to load its saved state, per start, from the lines it logs once ready."""
    found: dict[str, list[float]] = {"server": [], "table process": []}
    for line in log.read_text(errors="replace").splitlines():
        match = re.search(r"saved state loaded in ([0-9.]+) s", line)
        if match:
            found["table process" if line.startswith("table process:") else "server"].append(float(match.group(1)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate-count", type=int, default=300, help="0: skip the pipeline rates")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="webhookctl-restart-bench-") as tmp:
        root = Path(tmp)
        (root / "full").mkdir()
        cloud, outputs = filled_cloud(root / "full", args.events)
        found = start_rounds(root, cloud, outputs, args.rounds)
        loading = state_loading(root / "full" / "home" / "local-cloud.log")
        size = sum(p.stat().st_size for p in (root / "full" / "home" / "local" / "state").rglob("*") if p.is_file())
        rates = None
        if args.rate_count:
            (root / "memory").mkdir()
            (root / "disk").mkdir()
            rates = (pipeline_rate(root / "memory", True, args.rate_count), pipeline_rate(root / "disk", False, args.rate_count))
    load_after = os.getloadavg()

    empty_s, stopped_s, killed_s = (statistics.median(found[k]) for k in ("empty", "stopped", "killed"))
    print(f"| figure (median of {args.rounds} rounds) | baseline | ours | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| `local start` to ready, {min(found['stored'])} stored events after `local stop` (s) | "
          f"{empty_s:.2f} (empty state) | {stopped_s:.2f} | {stopped_s / empty_s:.2f} | <= 3 s |")
    print(f"| `local start` to ready after kill -9, {min(found['after_kill'])} stored events (s) | "
          f"{empty_s:.2f} (empty state) | {killed_s:.2f} | {killed_s / empty_s:.2f} | <= 3 s |")
    if rates is not None:
        memory_rate, disk_rate = rates
        print(f"| full pipeline, send-test {args.rate_count} at concurrency 16 (events/s) | {memory_rate:.1f} (state in memory only) | "
              f"{disk_rate:.1f} (saved) | {disk_rate / memory_rate:.2f} | small cost |")
    print(f"each round (s): empty {_list(found['empty'])}; after stop {_list(found['stopped'])}; after kill -9 {_list(found['killed'])}")
    for kind, seconds in loading.items():
        print(f"of which loading the saved state, {kind} (s): after stop {_list(seconds[0::2])}; after kill -9 {_list(seconds[1::2])}")
    print(f"saved state on disk: {size / 1e6:.1f} MB")
    print(f"load average (1, 5, 15 min): before {_list(load_before)}, after {_list(load_after)} on {os.cpu_count()} cores")


def _list(values) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
