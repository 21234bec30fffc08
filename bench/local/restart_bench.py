"""`local start` to ready with 10,000 stored events, beside the same start with empty state (run by hand).

In one run, each on a fresh WEBHOOKCTL_HOME and free port:
  * empty state: `local start` to ready (the baseline);
  * 10,000 stored events: an env deployed with `up`, its table filled with 10,000 PROCESSED events
    (BatchWriteItem, so the stream pipeline audits each one), then `local stop` / `local start`
    (the state comes back from the snapshot) and a kill -9 / `local start` (snapshot plus journal);
  * the pipeline rate (`send-test stripe --count N --concurrency 16`, sent to PROCESSED) with the
    state kept in memory only (WEBHOOKCTL_LOCAL_STATE=memory) and with it saved.

    python bench/local/restart_bench.py [--events 10000] [--rate-count 300]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate-count", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="webhookctl-restart-bench-") as tmp:
        root = Path(tmp)
        (root / "empty").mkdir()
        empty = Cloud(root / "empty")
        empty_s = empty.start()
        empty.run("local", "stop")

        (root / "full").mkdir()
        cloud = Cloud(root / "full")
        cloud.start()
        outputs = cloud.run("up", *cloud.env_args("bench"), "--yes")["outputs"]
        sent = cloud.run("send-test", "stripe", *cloud.env_args("bench"), "--count", "1")
        key = sent["results"][0]["event_key"]
        template = cloud.client("dynamodb").get_item(TableName=outputs["EventsTableName"], Key={"event_key": {"S": key}})["Item"]
        fill(cloud, outputs["EventsTableName"], template, args.events)
        time.sleep(5)  # let the stream pipeline audit them
        cloud.run("local", "stop")
        restart_s = cloud.start()
        stored = count_items(cloud, outputs["EventsTableName"])
        pid = cloud.run("local", "status")["pid"]
        cloud.run("send-test", "stripe", *cloud.env_args("bench"), "--count", "20")  # journaled, not yet in a snapshot
        os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
        kill_s = cloud.start()
        after_kill = count_items(cloud, outputs["EventsTableName"])
        size = sum(p.stat().st_size for p in (root / "full" / "home" / "local" / "state").rglob("*") if p.is_file())
        cloud.run("local", "stop")

        (root / "memory").mkdir()
        (root / "disk").mkdir()
        memory_rate = pipeline_rate(root / "memory", True, args.rate_count)
        disk_rate = pipeline_rate(root / "disk", False, args.rate_count)

    print(f"| figure | baseline | ours | ratio | target |")
    print(f"|---|---|---|---|---|")
    print(f"| `local start` to ready, {stored} stored events after `local stop` (s) | {empty_s:.2f} (empty state) | {restart_s:.2f} | {restart_s / empty_s:.2f} | <= 3 s |")
    print(f"| `local start` to ready after kill -9, {after_kill} stored events (s) | {empty_s:.2f} (empty state) | {kill_s:.2f} | {kill_s / empty_s:.2f} | <= 3 s |")
    print(f"| full pipeline, send-test {args.rate_count} at concurrency 16 (events/s) | {memory_rate:.1f} (state in memory only) | {disk_rate:.1f} (saved) | {disk_rate / memory_rate:.2f} | small cost |")
    print(f"saved state on disk: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
