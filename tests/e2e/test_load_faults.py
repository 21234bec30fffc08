"""Faults under load: processor chaos while webhooks pour in, and a Lambda worker killed mid-invocation.

Chaos applies to every env on a local cloud, so this module runs on a local cloud of its own.
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.soak.fates import follow_events
from bench.soak.soak import SoakOptions, run_soak
from webhookctl.operations.deployment import Deployment
from tests.e2e.conftest import LocalCloud, wait_for

pytestmark = pytest.mark.e2e

CHAOS_ENV = "chaosload"
KILL_ENV = "killworker"


def _connect(cloud: LocalCloud, env: str):
    from webhookctl.aws import AwsOptions, connect
    from webhookctl.config import load_settings

    settings = load_settings(env, cloud.config)
    return connect(AwsOptions(env=env, endpoint_url=cloud.endpoint), configured_region="us-east-1"), settings


def _cli_json(cloud: LocalCloud, *args: str):
    result = cloud.run(*args, "-o", "json", timeout=180)
    assert result.returncode == 0, f"webhookctl {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}"
    return json.loads(result.stdout)


def _processor_dlq(cloud: LocalCloud, env: str) -> dict:
    queues = _cli_json(cloud, "dlq", "list", *cloud.env_args(env))
    return next(q for q in queues if q["queue"] == "processor")


# -- processor chaos at 30% during load, then `dlq replay` -----------------------------------------


def test_processor_chaos_under_load_then_dlq_replay_processes_every_event(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    cloud.outputs(CHAOS_ENV)
    ctx, settings = _connect(cloud, CHAOS_ENV)
    load = SoakOptions(count=200, concurrency=16, drain_timeout_s=60, redelivery_share=0.0, forged_share=0.0)

    began_ms = int(time.time() * 1000)
    chaos = cloud.run("local", "chaos", "--function", "processor", "--error-rate", "0.3")
    assert chaos.returncode == 0, chaos.stderr
    try:
        report = run_soak(ctx, settings, load)
    finally:
        cleared = cloud.run("local", "chaos", "--clear")
    assert cleared.returncode == 0, cleared.stderr

    figures = report.figures()
    assert figures["unexpected_statuses"] == 0, report.problems  # the receiver answers 200 whatever the processor does
    assert figures["accepted"] == 200
    assert figures["lost"] == 0, report.problems.get("lost")  # every accepted event is PROCESSED or dead-lettered
    assert figures["processed"] + figures["in_dlq"] == 200
    assert figures["processed_twice"] == 0, report.problems.get("processed_twice")
    assert figures["in_dlq"] > 0, "30% chaos dead-lettered nothing: the replay below would prove nothing"
    assert _processor_dlq(cloud, CHAOS_ENV)["visible"] == figures["in_dlq"]

    dead_lettered = [key for key, fate in report.fates.items() if fate.in_dlq]
    replay = _cli_json(cloud, "dlq", "replay", *cloud.env_args(CHAOS_ENV))
    assert (replay["replayed"], replay["succeeded"], replay["failed"]) == (len(dead_lettered), len(dead_lettered), 0), replay

    fates = follow_events(Deployment(ctx, settings), report.fates, since_ms=began_ms, timeout_s=30)
    assert [key for key, fate in fates.items() if not fate.processed] == []
    assert [key for key, fate in fates.items() if fate.processed_twice] == []
    assert [key for key, fate in fates.items() if fate.transitions != 1] == []  # each audited RECEIVED -> PROCESSED once
    dlq = _processor_dlq(cloud, CHAOS_ENV)
    assert (dlq["visible"], dlq["in_flight"]) == (0, 0)

    again = _cli_json(cloud, "dlq", "replay", *cloud.env_args(CHAOS_ENV))
    assert (again["candidates"], again["replayed"], again["failed"]) == (0, 0, 0), again


# -- a worker killed mid-invocation ------------------------------------------------------------------

_EXIT_ERROR = re.compile(r"RequestId: (\S+) Error: Runtime exited with error: signal: killed")


def _server_pid(cloud: LocalCloud) -> int:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{cloud.endpoint}/_webhookctl/health", timeout=5) as reply:
        return int(json.loads(reply.read())["pid"])


def _code_dir_name(cloud: LocalCloud, function_name: str) -> str:
    """The runtime extracts a function's zip into a folder named by the zip's sha256 (hex)."""
    import base64

    return base64.b64decode(cloud.client("lambda").get_function(FunctionName=function_name)["Configuration"]["CodeSha256"]).hex()


def _busy_workers(server_pid: int, code_dir: str) -> list[int]:
    """The server's worker processes running `code_dir` that are not idle on their request pipe."""
    busy = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) != server_pid:
                continue
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        is_worker = any(arg.endswith(b"bootstrap.py") for arg in argv)
        runs_code = any(Path(arg.decode(errors="replace")).name == code_dir for arg in argv)
        if is_worker and runs_code and not _waiting_for_a_request(proc):
            busy.append(int(proc.name))
    return busy


_READ_SYSCALL = {"x86_64": "0", "aarch64": "63"}.get(platform.machine())


def _waiting_for_a_request(proc: Path) -> bool:
    """An idle worker blocks reading its stdin pipe for the next request; anything else is mid-invocation."""
    try:
        syscall = (proc / "syscall").read_text().split()
        if _READ_SYSCALL is not None and syscall[:1] != ["running"]:
            return syscall[:2] == [_READ_SYSCALL, "0x0"]  # read(0, ...)
    except (OSError, IndexError):
        pass  # /proc/PID/syscall needs ptrace rights; the kernel's wait channel says it too
    try:
        return "pipe" in (proc / "wchan").read_text()
    except OSError:
        return True


def _log_text(cloud: LocalCloud, group: str) -> str:
    logs = cloud.client("logs")
    lines, token = [], None
    while True:
        try:
            page = logs.filter_log_events(logGroupName=group, **({"nextToken": token} if token else {}))
        except logs.exceptions.ResourceNotFoundException:
            return ""
        lines += [event["message"] for event in page.get("events", [])]
        token = page.get("nextToken")
        if not token:
            return "\n".join(lines)


def test_a_worker_killed_mid_invocation_is_retried_and_nothing_is_lost(dedicated_local_cloud):
    cloud = dedicated_local_cloud
    outputs = cloud.outputs(KILL_ENV)
    ctx, settings = _connect(cloud, KILL_ENV)
    processor = outputs["ProcessorFunctionName"]
    log_group = f"/aws/lambda/{processor}"
    server_pid = _server_pid(cloud)
    code_dir = _code_dir_name(cloud, processor)
    load = SoakOptions(count=200, concurrency=8, drain_timeout_s=60, redelivery_share=0.0, forged_share=0.0)

    outcome: dict = {}
    killed: list[int] = []
    chaos = cloud.run("local", "chaos", "--function", "processor", "--latency-ms", "300")  # keeps invocations in flight
    assert chaos.returncode == 0, chaos.stderr
    try:
        sender = threading.Thread(target=lambda: outcome.setdefault("report", run_soak(ctx, settings, load)), daemon=True)
        sender.start()
        deadline = time.monotonic() + 40
        cut_short = False
        while time.monotonic() < deadline and len(killed) < 5 and not cut_short and sender.is_alive():
            busy = _busy_workers(server_pid, code_dir)
            if not busy:
                time.sleep(0.002)
                continue
            os.kill(busy[0], signal.SIGKILL)
            killed.append(busy[0])
            # Caught between /proc and the kill, a worker may have just gone idle: kill again until one is cut short.
            cut_short = bool(wait_for(lambda: _EXIT_ERROR.search(_log_text(cloud, log_group)), timeout=2))
        sender.join(timeout=120)
    finally:
        cleared = cloud.run("local", "chaos", "--clear")
    assert cleared.returncode == 0, cleared.stderr
    assert killed, "no processor worker was ever caught mid-invocation"
    assert not sender.is_alive() and "report" in outcome

    # The runtime saw a worker die mid-invocation, and the same invocation (request id) ran again.
    text = wait_for(lambda: (lambda t: t if _EXIT_ERROR.search(t) else None)(_log_text(cloud, log_group)), timeout=10)
    assert text, f"killed {killed}, but the processor's log shows no invocation cut short"
    request_id = _EXIT_ERROR.search(text).group(1)
    assert text.count(f"START RequestId: {request_id} ") >= 2, "the cut-short invocation was not retried"

    report = outcome["report"]
    figures = report.figures()
    assert figures["accepted"] == 200 and figures["unexpected_statuses"] == 0, report.problems
    assert figures["lost"] == 0 and figures["in_dlq"] == 0, report.problems
    assert figures["processed"] == 200
    assert figures["processed_twice"] == 0 and figures["unaudited"] == 0, report.problems
