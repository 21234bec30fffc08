"""A throwaway local cloud with one deployed env, for the benchmarks that need one.

The local cloud runs on a free port with WEBHOOKCTL_HOME in a scratch folder, so a benchmark never
touches the user's own local cloud or state; leaving the block stops it (it keeps everything in memory).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from bench.processes import family


@dataclass(frozen=True)
class ScratchCloud:
    environ: dict[str, str]  # for webhookctl and anything else that should find this cloud
    workdir: Path  # holds webhookctl.toml: run commands here
    endpoint: str
    pid: int  # the server process; its workers are its children
    env: str
    outputs: dict[str, str]

    def webhookctl(self, *args: str, timeout_s: float = 1800) -> subprocess.CompletedProcess[str]:
        return webhookctl(self.environ, self.workdir, *args, timeout_s=timeout_s)


def webhookctl(environ: dict[str, str], cwd: Path, *args: str, timeout_s: float = 1800) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "webhookctl", *args], env=environ, cwd=cwd, capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0:
        sys.exit(f"webhookctl {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_cloud(env: str = "bench", config_text: str = "", *, handlers: Path | None = None, start_args: tuple[str, ...] = ()) -> Iterator[ScratchCloud]:
    """Start a local cloud, `up` the env on it with `config_text` as webhookctl.toml, and stop it afterwards.

    `handlers`: a handlers folder copied into the scratch project (so a benchmark can edit it);
    `start_args`: more `local start` options, e.g. ("--latency-ms", "50").
    """
    workdir = Path(tempfile.mkdtemp(prefix="webhookctl-bench-"))
    if handlers is not None:
        import shutil

        shutil.copytree(handlers, workdir / "handlers", ignore=shutil.ignore_patterns("__pycache__"))
    port = free_port()
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEBHOOKCTL_")) and k != "ENVIRONMENT_SUFFIX"},
        "WEBHOOKCTL_HOME": str(workdir / "home"),
        "WEBHOOKCTL_LOCAL_PORT": str(port),
        "AWS_CONFIG_FILE": str(workdir / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    (workdir / "webhookctl.toml").write_text(config_text)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped benchmark still stops its cloud
    started = json.loads(webhookctl(environ, workdir, "local", "start", "--port", str(port), *start_args, "-o", "json").stdout)
    try:
        up = webhookctl(environ, workdir, "up", "--env", env, "--target", "local", "--yes", "-o", "json")
        yield ScratchCloud(environ, workdir, started.get("endpoint") or f"http://127.0.0.1:{port}", int(started["pid"]), env, json.loads(up.stdout)["outputs"])
    finally:
        subprocess.run([sys.executable, "-m", "webhookctl", "local", "stop"], env=environ, cwd=workdir, capture_output=True, timeout=60)


def cpu_ticks(pid: int) -> int:
    """CPU ticks used so far by a process and its direct children, from /proc."""
    return sum(stat.cpu_ticks for stat in family(pid))


def wait_until_quiet(pid: int, *, timeout_s: float = 120.0) -> None:
    """Wait until the cloud has finished its background work (stream and async invocations)."""
    import time

    deadline = time.monotonic() + timeout_s
    last = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_ticks(pid)
        if now - last <= 10:  # at most 0.1 CPU-second in a second: idle
            return
        last = now
