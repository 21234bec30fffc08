"""Start, status and stop a real local cloud process on a free port."""

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.localcloud.conftest import free_port
from webhookctl.errors import WebhookctlError
from webhookctl.localcloud import lifecycle


def cli(*args: str, env_port: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env_port:
        env["WEBHOOKCTL_LOCAL_PORT"] = str(env_port)
    return subprocess.run([sys.executable, "-m", "webhookctl", *args], capture_output=True, text=True, env=env, timeout=60)


def test_start_status_stop(aws_credentials):
    port = free_port()
    started = cli("local", "start", "-o", "json", env_port=port)
    assert started.returncode == 0, started.stderr
    document = json.loads(started.stdout)
    try:
        assert document["endpoint"] == f"http://127.0.0.1:{port}" and document["seconds"] > 0  # how fast: bench/local/restart_bench.py
        status = json.loads(cli("local", "status", "-o", "json").stdout)
        assert status == {**status, "running": True, "endpoint": document["endpoint"], "pid": document["pid"]}
        health = lifecycle.probe(document["endpoint"])
        assert health["pid"] == document["pid"]
        again = cli("local", "start", "--port", str(port))
        assert again.returncode == 0 and "already running" in again.stdout
        assert lifecycle.ensure_running(port=port, start=False) == document["endpoint"]
    finally:
        stopped = cli("local", "stop", "-o", "json")
    assert stopped.returncode == 0 and json.loads(stopped.stdout)["stopped"] is True
    assert not lifecycle._alive(document["pid"])
    assert lifecycle.group_members(document["pid"]) == []  # no worker left in its process group
    assert json.loads(cli("local", "status", "-o", "json").stdout)["running"] is False
    assert lifecycle.probe(document["endpoint"]) is None


def test_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("local", "start", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "Traceback" not in result.stderr
    assert not lifecycle.status().running


def test_stale_pid_file_is_cleaned_up():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lifecycle.write_state(dead.pid, 45999, "127.0.0.1")
    result = cli("local", "status", "-o", "json")
    assert json.loads(result.stdout)["running"] is False
    assert f"stale pid file (process {dead.pid} is gone)" in result.stderr
    assert not (lifecycle.home() / lifecycle.STATE_FILE).exists()


def test_ensure_running_without_start_says_how():
    with pytest.raises(WebhookctlError, match="not running"):
        lifecycle.ensure_running(port=free_port(), start=False)


def test_bad_options_are_usage_errors():
    result = cli("local", "start", "--account-concurrency", "5")
    assert result.returncode == 2 and "--account-concurrency" in result.stderr
