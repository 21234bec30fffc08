"""`chalice local` servers for bench/local/run_bench.py: the verify-only app and the same-work peer.

The peer (peer_app.py) runs against a plain `moto server` (moto's own server, none of the local
cloud's tuning) started here on the same machine; after the wrk run its table and audit log are
read back, so its completed rate counts events PROCESSED and audited, as ours does.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHALICE_VENV = Path(tempfile.gettempdir()) / "webhookctl-bench-chalice-venv"
PEER_TABLE, PEER_LOG_GROUP = "peer-events", "/peer/audit"


def ensure_chalice() -> None:
    """chalice (and boto3, for the peer) in a throwaway venv under /tmp, never in the project."""
    pip = CHALICE_VENV / "bin" / "pip"
    if not (CHALICE_VENV / "bin" / "chalice").exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHALICE_VENV)], check=True)
    probe = subprocess.run([str(CHALICE_VENV / "bin" / "python"), "-c", "import boto3, chalice, cryptography"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(pip), "install", "-q", "chalice", "cryptography", "boto3"], check=True)


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"nothing answered on port {port} within {seconds:g} s")


@contextmanager
def chalice_local(app_file: Path, port: int, environ: dict[str, str]) -> Iterator[int]:
    """`chalice local` serving `app_file` as app.py; yields its pid."""
    ensure_chalice()
    project = Path(tempfile.mkdtemp(prefix="chalice-bench-"))
    (project / ".chalice").mkdir()
    (project / ".chalice" / "config.json").write_text(json.dumps({"version": "2.0", "app_name": "bench", "stages": {"dev": {}}}))
    shutil.copy(app_file, project / "app.py")
    env = {**os.environ, "BENCH_LAYER_DIR": str(REPO / "layer"), **environ}
    server = subprocess.Popen([str(CHALICE_VENV / "bin" / "chalice"), "local", "--port", str(port), "--no-autoreload"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for_port(port)
        yield server.pid
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(project, ignore_errors=True)


@contextmanager
def plain_moto(port: int) -> Iterator[tuple[str, int]]:
    """moto's own server (`python -m moto.server`), with the peer's table and audit log group; yields (url, pid)."""
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port)
        ddb, logs = clients(url)
        ddb.create_table(TableName=PEER_TABLE, KeySchema=[{"AttributeName": "event_key", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "event_key", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")  # fmt: skip
        logs.create_log_group(logGroupName=PEER_LOG_GROUP)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait(10)


def clients(url: str) -> tuple[Any, Any]:
    import boto3

    kw = dict(region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client("dynamodb", **kw), boto3.client("logs", **kw)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that were waited for (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def same_work_peer(secret: str, requests_file: Path, seconds: int, run_wrk: Callable[[str, Path], dict[str, float]],
                   audit_lines: Callable[[Any, str], tuple[int, int]], free_port: Callable[[], int]) -> dict[str, Any]:
    """wrk (for `seconds`) against the peer; its figures, the events it stored, PROCESSED and audited, and CPU per event."""
    moto_port, app_port = free_port(), free_port()
    with plain_moto(moto_port) as (url, moto_pid):
        environ = {"BENCH_SECRET": secret, "BENCH_MOTO_URL": url, "BENCH_TABLE": PEER_TABLE, "BENCH_LOG_GROUP": PEER_LOG_GROUP}
        with chalice_local(HERE / "peer_app.py", app_port, environ) as app_pid:
            before = cpu_seconds(app_pid), cpu_seconds(moto_pid)
            figures = run_wrk(f"http://127.0.0.1:{app_port}", requests_file)
            app_cpu, moto_cpu = cpu_seconds(app_pid) - before[0], cpu_seconds(moto_pid) - before[1]
        ddb, logs = clients(url)
        statuses: dict[str, int] = {}
        for page in ddb.get_paginator("scan").paginate(TableName=PEER_TABLE, ProjectionExpression="#s", ExpressionAttributeNames={"#s": "status"}):
            for item in page["Items"]:
                statuses[item["status"]["S"]] = statuses.get(item["status"]["S"], 0) + 1
        audited, _ = audit_lines(logs, PEER_LOG_GROUP)
    processed = statuses.get("PROCESSED", 0)
    completed = max(1, min(processed, audited))
    return {**figures, "stored": sum(statuses.values()), "processed": processed, "audited": audited, "completed_per_s": round(completed / seconds, 1),
            "cpu_ms_per_event": round((app_cpu + moto_cpu) * 1000 / completed, 2),
            "cpu_ms_per_event_by_part": {"chalice": round(app_cpu * 1000 / completed, 2), "moto": round(moto_cpu * 1000 / completed, 2)}}  # fmt: skip
