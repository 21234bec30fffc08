"""Local-cloud benchmark, against `chalice local` doing the same work and doing only the check (see README.md).

Measures, in one run and at the same concurrency with wrk, with unique signed events (a fresh event id
and its own valid signature per request, never repeated):
  * `webhookctl local start` to ready;
  * accept latency (p50/p99) and request rate of signed Stripe deliveries on the local cloud
    (receiver -> DynamoDB -> async processor), then the full-pipeline rate (accepted -> PROCESSED
    -> audited) and events lost (accepted - PROCESSED - in the processor DLQ);
  * the same-work peer: `chalice local` serving peer_app.py, which per request verifies, does the
    receiver's conditional PutItem, the processor's UpdateItem to PROCESSED and the audit write,
    synchronously, against a plain `moto server` on this machine;
  * `chalice local` serving a verifying handler that stores nothing (accept only).
chalice is installed in a throwaway venv under /tmp (never a project dependency).
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
sys.path.insert(0, str(REPO))

from bench.local.peer import chalice_local, same_work_peer  # noqa: E402
from bench.processes import cpu_seconds_by_part, table_processes  # noqa: E402

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
    found = re.search(r"RESULT accepted=(\d+) refused=(\d+) repeats=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+) mean_ms=([\d.]+)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found or not rate:
        sys.exit(f"wrk printed no result:\n{out}")
    accepted, refused, repeats, p50, p99, mean = found.groups()
    return {"accepted": int(accepted), "refused": int(refused), "repeats": int(repeats), "p50_ms": float(p50), "p99_ms": float(p99), "mean_ms": float(mean), "req_per_s": float(rate.group(1))}


def measure_start(env: dict[str, str], port: int, rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        began = time.monotonic()
        webhookctl(env, "local", "start", "--port", str(port), "-o", "json")
        seconds.append(round(time.monotonic() - began, 3))
        webhookctl(env, "local", "stop")
    return seconds


def signed_local_deliveries(endpoint: str, config: Path, outputs: dict[str, str], count: int) -> list[tuple[str, dict[str, str], bytes]]:
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
    """Wait until every stored event is PROCESSED (or its hand-off sits in the DLQ) and audited.

    Polls once a second, and reads the audit log only once the table is settled, so the check itself
    takes as little as possible of the server that is still draining the pipeline.
    """
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
        processed = statuses.get("PROCESSED", 0)
        settled = statuses.get("RECEIVED", 0) <= dlq
        audited, last_ms = 0, 0
        if settled or time.monotonic() > deadline:
            audited, last_ms = audit_lines(logs, outputs["AuditLogGroupName"])
        if (settled and audited >= processed) or time.monotonic() > deadline:
            return {"stored": sum(statuses.values()), "processed": processed, "received_only": statuses.get("RECEIVED", 0), "in_dlq": dlq, "audited": audited, "last_audit_s": max(0.0, last_ms / 1000 - began_epoch)}
        time.sleep(1.0)


def audit_lines(logs: object, group: str) -> tuple[int, int]:
    """(audit lines saying PROCESSED, timestamp in ms of the latest one)."""
    audited, last_ms, token = 0, 0, None
    while True:
        page = logs.filter_log_events(logGroupName=group, **({"nextToken": token} if token else {}))
        for event in page.get("events", []):
            if '"new_status": "PROCESSED"' in event["message"] or '"new_status":"PROCESSED"' in event["message"]:
                audited += 1
                last_ms = max(last_ms, event["timestamp"])
        token = page.get("nextToken")
        if not token:
            return audited, last_ms


def chalice_baseline(port: int, deliveries_file: Path, secret: str, args: argparse.Namespace) -> dict[str, float]:
    with chalice_local(HERE / "chalice_app.py", port, {"BENCH_SECRET": secret}):
        return wrk(f"http://127.0.0.1:{port}", deliveries_file, connections=args.connections, threads=args.threads, seconds=args.seconds)


def peer_baseline(work: Path, args: argparse.Namespace) -> dict[str, object]:
    secret = "whsec_" + os.urandom(16).hex()
    requests_file = work / "peer.lua"
    lua_requests(signed_baseline_deliveries(secret, int(args.seconds * 400) + 200), requests_file)

    def run_wrk(url: str, path: Path) -> dict[str, float]:
        return wrk(url, path, connections=args.connections, threads=args.threads, seconds=args.seconds)

    return same_work_peer(secret, requests_file, args.seconds, run_wrk, audit_lines, free_port)


def function_reports(endpoint: str, outputs: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per function: invocations, cold starts and the median REPORT duration, from its log group."""
    import boto3

    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    found: dict[str, dict[str, float]] = {}
    for key in ("ReceiverFunctionName", "ProcessorFunctionName", "AuditFunctionName"):
        durations, cold, token = [], 0, None
        while True:
            try:
                page = logs.filter_log_events(logGroupName=f"/aws/lambda/{outputs[key]}", **({"nextToken": token} if token else {}))
            except logs.exceptions.ResourceNotFoundException:
                break
            for event in page.get("events", []):
                found_duration = re.search(r"^REPORT .*?\tDuration: ([\d.]+) ms", event["message"])
                if found_duration:
                    durations.append(float(found_duration.group(1)))
                    cold += "Init Duration" in event["message"]
            token = page.get("nextToken")
            if not token:
                break
        durations.sort()
        found[key.removesuffix("FunctionName").lower()] = {
            "invocations": len(durations),
            "cold_starts": cold,
            "p50_duration_ms": round(durations[len(durations) // 2], 1) if durations else 0.0,
        }
    return found


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def start_profiler(pid: int, path: Path, seconds: int) -> subprocess.Popen | None:
    """py-spy (the operator's own install) sampling the server process while the load runs."""
    if not shutil.which("py-spy"):
        sys.exit("--profile needs py-spy on PATH (pip install py-spy)")
    return subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "50",
                             "--format", "raw", "--output", str(path), "--nonblocking", "--gil"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def profiled(server_pid: int, path: Path) -> list[tuple[int, Path]]:
    """The server into `path`, and its table process into `path` + ".tables"."""
    return [(server_pid, path)] + [(pid, path.with_name(path.name + ".tables")) for pid in table_processes(server_pid)]


def run_local(env: dict[str, str], port: int, work: Path, config: Path, args: argparse.Namespace) -> dict[str, object]:
    """Deploy on a fresh local cloud, load it with wrk, wait for the pipeline to drain, then stop it."""
    endpoint = f"http://127.0.0.1:{port}"
    started = json.loads(webhookctl(env, "local", "start", "--port", str(port), "-o", "json").stdout)
    try:
        outputs = json.loads(webhookctl(env, "up", "--env", "bench", "--target", "local", "--config", str(config), "--yes", "-o", "json", cwd=work).stdout)["outputs"]
        budget = int(args.seconds * 600) + 200  # more fresh deliveries than the run can use
        deliveries = signed_local_deliveries(endpoint, config, outputs, budget)
        warm = work / "warm.lua"
        lua_requests(deliveries[:WARM_UP_EVENTS], warm)
        wrk(endpoint, warm, connections=args.connections, threads=args.threads, seconds=2)  # start warm workers
        pipeline_completion(endpoint, outputs, time.time(), timeout=60)  # the warm-up drains before the clock starts
        requests_file = work / "local.lua"
        lua_requests(deliveries[WARM_UP_EVENTS:], requests_file)
        profilers = [start_profiler(pid, path, args.seconds + 30) for pid, path in profiled(started["pid"], args.profile)] if args.profile else []
        load_before = load_average()
        cpu_before = cpu_seconds_by_part(started["pid"])
        began = time.time()
        local = wrk(endpoint, requests_file, connections=args.connections, threads=args.threads, seconds=args.seconds)
        pipeline = pipeline_completion(endpoint, outputs, began, timeout=180)
        cpu_after = cpu_seconds_by_part(started["pid"])
        for profiler in profilers:
            profiler.wait()
        warm_events = WARM_UP_EVENTS  # stored before `began`; the run's own events are the rest
        return {
            "local": local,
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "pipeline": {
                **pipeline,
                "full_pipeline_per_s": round((pipeline["processed"] - warm_events) / max(pipeline["last_audit_s"], args.seconds), 1),
                "events_lost": pipeline["stored"] - pipeline["processed"] - pipeline["in_dlq"],
            },
            "functions": function_reports(endpoint, outputs),
            # Workers started during the run count from zero; none stop during it (idle TTL 10 min).
            "cpu_ms_per_event": {
                part: round((cpu_after[part] - cpu_before[part]) * 1000 / max(1, pipeline["processed"] - warm_events), 2)
                for part in cpu_after
            },
        }
    finally:
        webhookctl(env, "local", "stop")  # the local cloud keeps everything in memory: stopping it is the clean-up


PEER_RATE_TARGET = 2.0


def targets(report: dict[str, object]) -> list[tuple[str, str, str, str, str, bool | None]]:
    """Rows of (figure, baseline, ours, ratio, target, met) for the one table the benchmark prints.

    Baselines: "same-work peer" is peer_app.py (verify + PutItem + UpdateItem + audit write per request,
    synchronously, on a plain moto server); "verify-only" is chalice_app.py (accept only).
    """
    local, pipeline = report["local"], report["pipeline"]
    peer, verify_only = report.get("peer") or {}, report.get("chalice_local") or {}
    rows: list[tuple[str, str, str, str, str, bool | None]] = []

    def row(figure: str, base: float | None, ours: float, target: str, met: bool | None, label: str) -> None:
        ratio = f"{ours / base:.2f}" if base else "-"
        rows.append((figure, f"{base:.1f} ({label})" if base is not None else "-", f"{ours:.1f}", ratio, target, met))

    rate = pipeline["full_pipeline_per_s"]
    row("full pipeline: accepted -> PROCESSED -> audited (events/s)", peer.get("completed_per_s"), rate,
        f">= {PEER_RATE_TARGET:g} x peer", rate >= PEER_RATE_TARGET * peer["completed_per_s"] if peer else None, "chalice local, same-work peer, completed")
    row("accept latency p50 (ms)", peer.get("p50_ms"), local["p50_ms"], "<= peer", local["p50_ms"] <= peer["p50_ms"] if peer else None, "chalice local, same-work peer")
    row("accept latency p99 (ms)", peer.get("p99_ms"), local["p99_ms"], "-", None, "chalice local, same-work peer")
    if peer:
        rows.append(("CPU per event, all processes (ms)", f"{peer['cpu_ms_per_event']:.2f} (same-work peer: chalice + moto)",
                     f"{sum(report['cpu_ms_per_event'].values()):.2f}", f"{sum(report['cpu_ms_per_event'].values()) / peer['cpu_ms_per_event']:.2f}", "-", None))
    row("accepted request rate, unique events (req/s)", verify_only.get("req_per_s"), local["req_per_s"], "-", None, "chalice local, verify only")
    row("accept latency p50, unique events (ms)", verify_only.get("p50_ms"), local["p50_ms"], "-", None, "chalice local, verify only")
    repeats = local["repeats"] + peer.get("repeats", 0) + verify_only.get("repeats", 0)
    rows.append(("deliveries repeated (every request a fresh signed event)", "-", str(repeats), "-", "0", repeats == 0))
    if report.get("local_start_s"):
        slowest = max(report["local_start_s"])
        rows.append(("`local start` to ready, slowest round (s)", "-", f"{slowest:.2f}", "-", "<= 3 s", slowest <= 3.0))
    rows.append(("events lost (stored - PROCESSED - in DLQ)", "-", str(pipeline["events_lost"]), "-", "0", pipeline["events_lost"] == 0))
    return rows


def render_table(report: dict[str, object]) -> str:
    header = ("figure", "baseline", "ours (local cloud)", "ratio", "target", "met?")
    rows = [header] + [(*row[:5], {True: "yes", False: "NO", None: "-"}[row[5]]) for row in targets(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    pipeline, functions = report["pipeline"], report["functions"]
    lines.append("")
    lines.append(f"{report['connections']} connections, {report['threads']} wrk threads, {report['seconds']} s; "
                 f"load average before {report['load_average_before']}, after {report['load_average_after']}")
    lines.append(f"pipeline: stored {pipeline['stored']}, PROCESSED {pipeline['processed']}, in DLQ {pipeline['in_dlq']}, "
                 f"audited {pipeline['audited']}, last audit line {pipeline['last_audit_s']:.1f} s after the start")
    cpu = report["cpu_ms_per_event"]
    lines.append(f"CPU per event (includes the completion checks): server {cpu['server']} ms, "
                 f"table process {cpu.get('tables', 0.0)} ms, workers {cpu['workers']} ms")
    peer = report.get("peer")
    if peer:
        split = peer["cpu_ms_per_event_by_part"]
        lines.append(f"same-work peer: stored {peer['stored']}, PROCESSED {peer['processed']}, audit lines saying PROCESSED {peer['audited']}, "
                     f"{peer['refused']} refused; CPU per event chalice {split['chalice']} ms, moto {split['moto']} ms")
    for name, figures in functions.items():
        lines.append(f"{name}: {figures['invocations']} invocations, {figures['cold_starts']} cold starts, "
                     f"median duration {figures['p50_duration_ms']} ms")
    return "\n".join(lines)


WARM_UP_EVENTS = 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--start-rounds", type=int, default=3)
    parser.add_argument("--skip-chalice", action="store_true", help="no chalice runs (neither the peer nor verify-only)")
    parser.add_argument("--profile", type=Path, help="write py-spy samples (raw/collapsed) of the server during the run here")
    parser.add_argument("--profile-workers", type=Path, metavar="DIR", help="cProfile every function worker into DIR (slows them); prints where their CPU goes")
    parser.add_argument("--json", action="store_true", help="also print the whole report as JSON")
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
    if args.profile_workers:
        args.profile_workers.mkdir(parents=True, exist_ok=True)
        env["WEBHOOKCTL_LOCAL_WORKER_PROFILE"] = str(args.profile_workers.resolve())
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(variable, None)

    report: dict[str, object] = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
    try:
        report["local_start_s"] = measure_start(env, port, args.start_rounds)
        report.update(run_local(env, port, work, config, args))
        if not args.skip_chalice:
            report["peer"] = peer_baseline(work, args)
            secret = "whsec_" + os.urandom(16).hex()
            baseline_file = work / "chalice.lua"
            lua_requests(signed_baseline_deliveries(secret, int(args.seconds * 800) + 200), baseline_file)
            report["chalice_local"] = chalice_baseline(free_port(), baseline_file, secret, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["targets"] = {figure: met for figure, *_, met in targets(report) if met is not None}
    print(render_table(report))
    if args.profile_workers:
        from bench.local.worker_profile import summarize

        print(summarize(args.profile_workers, report["pipeline"]["processed"]))
    if args.json:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
