"""Local-cloud benchmark, side by side with `chalice local` (run by hand; see README.md).

Measures, in one run and at the same concurrency with wrk:
  * `webhookctl local start` to ready;
  * accept latency (p50/p99) and request rate of signed Stripe deliveries on the local cloud
    (receiver -> DynamoDB -> async processor), then the full-pipeline rate (accepted -> PROCESSED
    -> audited) and events lost (accepted - PROCESSED - in the processor DLQ);
  * the same signed deliveries against `chalice local` serving a verifying handler that stores nothing,
    installed in a throwaway venv under /tmp (never a project dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHALICE_VENV = Path(tempfile.gettempdir()) / "webhookctl-bench-chalice-venv"
BENCH_CONFIG = """
[waf]
rate_limit = 2000000000
window_s = 300

[api]
rate_limit = 10000
burst_limit = 5000
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stderr[-3000:]}")
    return result


def webhookctl(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "webhookctl", *args], env, cwd)


def lua_requests(deliveries: list[tuple[str, dict[str, str], bytes]], path: Path) -> None:
    def quote(text: str) -> str:
        return "[==[" + text + "]==]"

    # Chunks of 200 per function: Lua caps the constants of one function.
    lines = ["local all = {}"]
    for start in range(0, len(deliveries), 200):
        lines.append(";(function() local add = table.insert")
        for url_path, headers, body in deliveries[start : start + 200]:
            header_table = ", ".join(f"[ {quote(k)} ] = {quote(v)}" for k, v in headers.items())
            lines.append(f"  add(all, {{path = {quote(url_path)}, headers = {{{header_table}}}, body = {quote(body.decode())}}})")
        lines.append("end)()")
    lines.append("return all")
    path.write_text("\n".join(lines))


def wrk(base_url: str, requests_file: Path, *, connections: int, threads: int, seconds: int) -> dict[str, float]:
    env = {**os.environ, "REQUESTS_FILE": str(requests_file), "WRK_THREADS": str(threads)}
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(HERE / "wrk_signed.lua"), base_url],
        capture_output=True, text=True, env=env, timeout=seconds + 60,
    )  # fmt: skip
    out = out.stdout + out.stderr
    found = re.search(r"RESULT accepted=(\d+) refused=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+) mean_ms=([\d.]+)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found or not rate:
        sys.exit(f"wrk printed no result:\n{out}")
    accepted, refused, p50, p99, mean = found.groups()
    return {"accepted": int(accepted), "refused": int(refused), "p50_ms": float(p50), "p99_ms": float(p99), "mean_ms": float(mean), "req_per_s": float(rate.group(1))}


def measure_start(env: dict[str, str], port: int, rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        began = time.monotonic()
        webhookctl(env, "local", "start", "--port", str(port), "-o", "json")
        seconds.append(round(time.monotonic() - began, 3))
        webhookctl(env, "local", "stop")
    return seconds


def signed_local_deliveries(endpoint: str, config: Path, outputs: dict[str, str], count: int) -> list[tuple[str, dict[str, str], bytes]]:
    sys.path.insert(0, str(REPO))
    from webhookctl.aws import AwsOptions, connect
    from webhookctl.config import load_settings
    from webhookctl.operations.deployment import Deployment
    from webhookctl.operations.signed_fixtures import DeliverySigner

    ctx = connect(AwsOptions(env=outputs["Env"], endpoint_url=endpoint), configured_region="us-east-1")
    signer = DeliverySigner(Deployment(ctx, load_settings(outputs["Env"], config)), "stripe")
    path = outputs["WebhookUrlTemplate"].replace("{provider}", "stripe").removeprefix(endpoint)
    out = []
    for _ in range(count):
        d = signer.build("payment_intent.succeeded")
        out.append((path, d.headers, d.body))
    return out


def signed_baseline_deliveries(secret: str, count: int) -> list[tuple[str, dict[str, str], bytes]]:
    import webhook_signatures

    from webhookctl.operations.fixtures import build_fixture

    config = webhook_signatures.ProviderConfig(secrets=(secret,))
    out = []
    for _ in range(count):
        fixture = build_fixture("stripe", "payment_intent.succeeded")
        signed = webhook_signatures.sign("stripe", fixture.body, config)
        out.append(("/webhook/stripe", {"Content-Type": "application/json", **signed.headers}, signed.body))
    return out


def pipeline_completion(endpoint: str, outputs: dict[str, str], began_epoch: float, timeout: float) -> dict[str, float]:
    """Wait until every stored event is PROCESSED (or its hand-off sits in the DLQ) and audited."""
    import boto3

    kw = dict(region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    ddb, logs, sqs = boto3.client("dynamodb", **kw), boto3.client("logs", **kw), boto3.client("sqs", **kw)
    deadline = time.monotonic() + timeout
    while True:
        statuses: dict[str, int] = {}
        for page in ddb.get_paginator("scan").paginate(TableName=outputs["EventsTableName"], ProjectionExpression="#s", ExpressionAttributeNames={"#s": "status"}):
            for item in page["Items"]:
                statuses[item["status"]["S"]] = statuses.get(item["status"]["S"], 0) + 1
        dlq = int(sqs.get_queue_attributes(QueueUrl=outputs["ProcessorDlqUrl"], AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
        audited, last_ms, token = 0, 0, None
        while True:
            page = logs.filter_log_events(logGroupName=outputs["AuditLogGroupName"], **({"nextToken": token} if token else {}))
            for event in page.get("events", []):
                if '"new_status": "PROCESSED"' in event["message"] or '"new_status":"PROCESSED"' in event["message"]:
                    audited += 1
                    last_ms = max(last_ms, event["timestamp"])
            token = page.get("nextToken")
            if not token:
                break
        processed = statuses.get("PROCESSED", 0)
        done = statuses.get("RECEIVED", 0) <= dlq and audited >= processed
        if done or time.monotonic() > deadline:
            return {"stored": sum(statuses.values()), "processed": processed, "received_only": statuses.get("RECEIVED", 0), "in_dlq": dlq, "audited": audited, "last_audit_s": max(0.0, last_ms / 1000 - began_epoch)}
        time.sleep(0.5)


def chalice_baseline(port: int, deliveries_file: Path, secret: str, args: argparse.Namespace) -> dict[str, float]:
    if not (CHALICE_VENV / "bin" / "chalice").exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHALICE_VENV)], check=True)
        subprocess.run([str(CHALICE_VENV / "bin" / "pip"), "install", "-q", "chalice", "cryptography"], check=True)
    project = Path(tempfile.mkdtemp(prefix="chalice-baseline-"))
    (project / ".chalice").mkdir()
    (project / ".chalice" / "config.json").write_text(json.dumps({"version": "2.0", "app_name": "baseline", "stages": {"dev": {}}}))
    shutil.copy(HERE / "chalice_app.py", project / "app.py")
    env = {**os.environ, "BENCH_LAYER_DIR": str(REPO / "layer"), "BENCH_SECRET": secret}
    server = subprocess.Popen([str(CHALICE_VENV / "bin" / "chalice"), "local", "--port", str(port), "--no-autoreload"], cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        return wrk(f"http://127.0.0.1:{port}", deliveries_file, connections=args.connections, threads=args.threads, seconds=args.seconds)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(project, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--start-rounds", type=int, default=3)
    parser.add_argument("--skip-chalice", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="webhookctl-bench-"))
    config = work / "webhookctl.toml"
    config.write_text(BENCH_CONFIG)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEBHOOKCTL_"))}
    env.update(WEBHOOKCTL_HOME=str(work / "home"), WEBHOOKCTL_LOCAL_PORT=str(port), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=str(work / "aws-config"), AWS_SHARED_CREDENTIALS_FILE=str(work / "aws-credentials"))  # fmt: skip
    os.environ.update({k: env[k] for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED")})
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(variable, None)

    report: dict[str, object] = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
    report["local_start_s"] = measure_start(env, port, args.start_rounds)

    endpoint = f"http://127.0.0.1:{port}"
    webhookctl(env, "local", "start", "--port", str(port))
    try:
        outputs = json.loads(webhookctl(env, "up", "--env", "bench", "--target", "local", "--config", str(config), "--yes", "-o", "json", cwd=work).stdout)["outputs"]
        budget = int(args.seconds * 600) + 200  # more fresh deliveries than the run can use
        deliveries = signed_local_deliveries(endpoint, config, outputs, budget)
        warm = work / "warm.lua"
        lua_requests(deliveries[:40], warm)
        wrk(endpoint, warm, connections=args.connections, threads=args.threads, seconds=2)  # start warm workers
        requests_file = work / "local.lua"
        lua_requests(deliveries[40:], requests_file)
        began = time.time()
        local = wrk(endpoint, requests_file, connections=args.connections, threads=args.threads, seconds=args.seconds)
        pipeline = pipeline_completion(endpoint, outputs, began, timeout=120)
        measured = pipeline["processed"]  # includes the warm-up events, whose time lies before `began`
        report["local"] = local
        report["pipeline"] = {
            **pipeline,
            "full_pipeline_per_s": round((measured - 40) / max(pipeline["last_audit_s"], args.seconds), 1),
            "events_lost": pipeline["stored"] - pipeline["processed"] - pipeline["in_dlq"],
        }
        webhookctl(env, "down", "--env", "bench", "--target", "local", "--config", str(config), "--yes", cwd=work)
    finally:
        webhookctl(env, "local", "stop")

    if not args.skip_chalice:
        secret = "whsec_" + os.urandom(16).hex()
        baseline_file = work / "chalice.lua"
        lua_requests(signed_baseline_deliveries(secret, int(args.seconds * 800) + 200), baseline_file)
        report["chalice_local"] = chalice_baseline(free_port(), baseline_file, secret, args)
        chalice_rate = report["chalice_local"]["req_per_s"]
        report["targets"] = {
            "accept_p50_le_chalice": local["p50_ms"] <= report["chalice_local"]["p50_ms"],
            "full_pipeline_ge_chalice": report["pipeline"]["full_pipeline_per_s"] >= chalice_rate,
            "start_le_3s": max(report["local_start_s"]) <= 3.0,
            "no_events_lost": report["pipeline"]["events_lost"] == 0,
        }
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
