"""End-to-end fixtures: one local cloud per session on a free port, and envs deployed with `webhookctl up`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

LAYER_REQUIREMENTS = Path(__file__).resolve().parents[2] / "layer" / "requirements.txt"

# One config file for every e2e env; per-env overrides give each failure case its own env.
CONFIG = """
[local]
async_retry_delays_s = [0.2, 0.2]

[env.waf.waf]
rate_limit = 10
window_s = 60

[env.throttle.api]
rate_limit = 1
burst_limit = 2

[env.quota.functions.receiver]
reserved_concurrency = 950

[env.noxray.build]
layer_requirements = "{no_xray_requirements}"

# Load tests send everything from 127.0.0.1: lift the WAF's per-address rule for their envs.
[env.soak.waf]
rate_limit = 2000000

[env.chaosload.waf]
rate_limit = 2000000

# One async retry: at a 30% error rate about 9% of the events reach the DLQ, so a replay has work.
[env.chaosload.async_invoke]
maximum_retry_attempts = 1

[env.killworker.waf]
rate_limit = 2000000

[env.crowd.waf]
rate_limit = 2000000
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalCloud:
    endpoint: str
    port: int
    home: Path
    config: Path
    base_env: dict[str, str]
    deployed: dict[str, dict[str, str]] = field(default_factory=dict)

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """`webhookctl ARGS` against this local cloud, as a user would run it."""
        return subprocess.run(
            [sys.executable, "-m", "webhookctl", *args],
            capture_output=True,
            text=True,
            env=self.base_env,
            timeout=timeout,
            cwd=self.config.parent,
        )

    def env_args(self, env: str) -> list[str]:
        return ["--env", env, "--target", "local", "--config", str(self.config)]

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service, region_name="us-east-1", endpoint_url=self.endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
        )

    def up(self, env: str, *extra: str) -> subprocess.CompletedProcess:
        return self.run("up", *self.env_args(env), "--yes", "-o", "json", *extra)

    def outputs(self, env: str) -> dict[str, str]:
        """Deploy `env` once per session (idempotent `up`), and return its outputs."""
        if env not in self.deployed:
            result = self.up(env)
            if result.returncode != 0:
                pytest.fail(f"webhookctl up --env {env} failed ({result.returncode}): {result.stderr[-2000:]}")
            self.deployed[env] = json.loads(result.stdout)["outputs"]
        return self.deployed[env]


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """`webhookctl local start --port P` with a private WEBHOOKCTL_HOME; `local stop` at the end."""
    yield from running_local_cloud(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def dedicated_local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """A local cloud of the module's own, for tests whose chaos must not reach any other test."""
    yield from running_local_cloud(tmp_path_factory.mktemp("e2e-dedicated"))


def running_local_cloud(root: Path) -> Iterator[LocalCloud]:
    """Start a local cloud whose home and config live under `root`; yield it, then clear chaos and stop it."""
    home = root / "home"
    no_xray = root / "requirements-without-xray.txt"
    no_xray.write_text("".join(line + "\n" for line in LAYER_REQUIREMENTS.read_text().splitlines() if "aws-xray-sdk" not in line.lower()))
    config = root / "webhookctl.toml"
    config.write_text(CONFIG.format(no_xray_requirements=no_xray))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEBHOOKCTL_"))}
    env.update(
        WEBHOOKCTL_HOME=str(home),
        WEBHOOKCTL_LOCAL_PORT=str(port),
        AWS_CONFIG_FILE=str(root / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(root / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    if "WEBHOOKCTL_CACHE" in os.environ:
        env["WEBHOOKCTL_CACHE"] = os.environ["WEBHOOKCTL_CACHE"]
    cloud = LocalCloud(endpoint=f"http://127.0.0.1:{port}", port=port, home=home, config=config, base_env=env)
    started = cloud.run("local", "start", "--port", str(port), "--config", str(config), timeout=60)
    if started.returncode != 0:
        pytest.fail(f"webhookctl local start failed: {started.stderr}")
    try:
        yield cloud
    finally:
        cloud.run("local", "chaos", "--clear", timeout=30)
        stopped = cloud.run("local", "stop", timeout=60)
        assert stopped.returncode == 0, stopped.stderr


@pytest.fixture(scope="session")
def deployed(local_cloud: LocalCloud) -> Callable[[str], dict[str, str]]:
    """deployed(env) -> outputs, running `webhookctl up --env env --target local` once per env."""
    return local_cloud.outputs


def wait_for(probe: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2) -> Any:
    """The first truthy result of probe(), or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
