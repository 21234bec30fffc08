"""Start, stop and find the local cloud; its pid, port and endpoint live under WEBHOOKCTL_HOME."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from webhookctl.errors import WebhookctlError
from webhookctl.localcloud.process_group import alive as _alive, is_local_cloud_process as _is_local_cloud_process
from webhookctl.localcloud.process_group import group_members  # noqa: F401 (callers read it here)
from webhookctl.localcloud.process_group import terminate_group as _terminate_group

STATE_FILE = "local-cloud.json"
LOG_FILE = "local-cloud.log"
READY_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0


def home() -> Path:
    return Path(os.environ.get("WEBHOOKCTL_HOME") or Path.home() / ".webhookctl")


def endpoint_for(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"


@dataclass(frozen=True)
class LocalStatus:
    running: bool
    endpoint: str | None
    pid: int | None
    port: int | None = None
    log_file: str | None = None
    stale_pid_removed: int | None = None  # a pid file pointing at a dead process was cleaned up

    def to_json(self) -> dict[str, Any]:
        return {"running": self.running, "endpoint": self.endpoint, "pid": self.pid, "port": self.port, "log_file": self.log_file}


@dataclass(frozen=True)
class StartResult:
    endpoint: str
    pid: int
    port: int
    seconds: float
    already_running: bool
    log_file: str
    stale_pid_removed: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "running": True,
            "endpoint": self.endpoint,
            "pid": self.pid,
            "port": self.port,
            "seconds": round(self.seconds, 3),
            "already_running": self.already_running,
            "log_file": self.log_file,
        }


@dataclass(frozen=True)
class StopResult:
    stopped: bool  # False: nothing was running
    pid: int | None
    seconds: float
    stale_pid_removed: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"stopped": self.stopped, "pid": self.pid, "seconds": round(self.seconds, 3), "running": False}


# -- state file -----------------------------------------------------------------------------------
def _state_path() -> Path:
    return home() / STATE_FILE


def _read_state() -> dict[str, Any] | None:
    try:
        state = json.loads(_state_path().read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("pid"), int) else None


def write_state(pid: int, port: int, host: str) -> None:
    path = _state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"pid": pid, "port": port, "host": host, "endpoint": endpoint_for(port, host), "log_file": str(home() / LOG_FILE)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    tmp.replace(path)


def clear_state(pid: int | None = None) -> None:
    """Remove the state file (only if it still names `pid`, when given)."""
    state = _read_state()
    if pid is None or state is None or state.get("pid") == pid:
        with contextlib.suppress(FileNotFoundError):
            _state_path().unlink()


@contextlib.contextmanager
def _start_lock() -> Iterator[None]:
    """Serialise starts, so two commands needing the local cloud at once start it only once."""
    import fcntl

    home().mkdir(parents=True, exist_ok=True)
    with open(home() / "local-cloud.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- processes and probes ---------------------------------------------------------------------------
def probe(endpoint: str, timeout: float = 0.5) -> dict[str, Any] | None:
    """The health document when a local cloud answers at `endpoint`, else None."""
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{endpoint}/_webhookctl/health", timeout=timeout) as response:
            document = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and document.get("local_cloud") is True else None


def port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# -- commands -----------------------------------------------------------------------------------------
def status() -> LocalStatus:
    """Whether the recorded local cloud runs; a pid file naming a dead process is removed."""
    state = _read_state()
    if state is None:
        return LocalStatus(False, None, None)
    pid = state["pid"]
    if not (_alive(pid) and _is_local_cloud_process(pid)):
        clear_state(pid)
        return LocalStatus(False, None, None, stale_pid_removed=pid)
    return LocalStatus(True, state.get("endpoint"), pid, state.get("port"), state.get("log_file"))


@dataclass(frozen=True)
class StartOptions:
    """How `local start` runs the server (in the background or in the foreground)."""

    port: int = 4566
    host: str = "127.0.0.1"
    account_concurrency: int = 1000
    latency_ms: int = 0
    async_retry_delays_s: tuple[float, ...] | None = None  # None: the configured ones
    fresh: bool = False

    def checked(self) -> StartOptions:
        _check_options(self.port, self.account_concurrency, self.latency_ms)
        return self

    def delays(self) -> tuple[float, ...]:
        return tuple(self.async_retry_delays_s if self.async_retry_delays_s is not None else _configured_retry_delays())


def start(*, ready_timeout_s: float = READY_TIMEOUT_S, **options: Any) -> StartResult:
    """Start the local cloud in the background (`options`: StartOptions' fields) and wait until its health endpoint answers."""
    opts = StartOptions(**options).checked()
    port, host = opts.port, opts.host
    began = time.monotonic()
    with _start_lock():
        current = status()
        if current.running:
            if current.port != port:
                raise WebhookctlError(
                    f"the local cloud is already running on port {current.port} (pid {current.pid})",
                    code=1,
                    hint="stop it first with `webhookctl local stop`, or use that port",
                )
            return StartResult(current.endpoint or endpoint_for(port, host), current.pid or 0, port, 0.0, True, current.log_file or "")
        _refuse_taken_port(host, port)
        log_path = home() / LOG_FILE
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            child = subprocess.Popen(
                server_command(opts),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # survives the terminal; its workers share its process group
                close_fds=True,
            )
        write_state(child.pid, port, host)
        endpoint = endpoint_for(port, host)
        deadline = began + ready_timeout_s
        while time.monotonic() < deadline:
            if child.poll() is not None:
                clear_state(child.pid)
                raise WebhookctlError(
                    f"the local cloud exited during start-up: {_last_error_line(log_path)}",
                    code=1,
                    hint=f"see {log_path}",
                )
            if probe(endpoint, timeout=0.25):
                return StartResult(endpoint, child.pid, port, time.monotonic() - began, False, str(log_path), current.stale_pid_removed)
            time.sleep(0.03)
        _terminate_group(child.pid)
        clear_state(child.pid)
        raise WebhookctlError(f"the local cloud did not become ready within {ready_timeout_s:.0f} s", code=1, hint=f"see {log_path}")


_start_background = start  # ensure_running's `start` flag shadows the function


def server_command(options: StartOptions) -> list[str]:
    return [
        sys.executable, "-m", "webhookctl.localcloud",
        "--host", options.host,
        "--port", str(options.port),
        "--account-concurrency", str(options.account_concurrency),
        "--latency-ms", str(options.latency_ms),
        "--async-retry-delays", ",".join(f"{d:g}" for d in options.delays()),
        "--work-dir", str(home() / "local"),
    ] + (["--fresh"] if options.fresh else [])  # fmt: skip


def run_foreground(**options: Any) -> int:
    """Serve in this process until interrupted (`options`: StartOptions' fields); the pid file names this process meanwhile."""
    from webhookctl.localcloud.server import ServerConfig, serve

    opts = StartOptions(**options).checked()
    with _start_lock():
        current = status()
        if current.running:
            raise WebhookctlError(f"the local cloud is already running at {current.endpoint} (pid {current.pid})", code=1, hint="webhookctl local stop")
        _refuse_taken_port(opts.host, opts.port)
        write_state(os.getpid(), opts.port, opts.host)
    config = ServerConfig(opts.host, opts.port, opts.account_concurrency, opts.latency_ms, opts.delays(), home() / "local", opts.fresh)
    try:
        return serve(config)
    finally:
        clear_state(os.getpid())


def stop(timeout_s: float = STOP_TIMEOUT_S) -> StopResult:
    """SIGTERM the recorded local cloud, wait for it and its workers to exit, and clear the pid file."""
    began = time.monotonic()
    current = status()
    if not current.running or current.pid is None:
        return StopResult(False, None, 0.0, current.stale_pid_removed)
    pid = current.pid
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = began + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    _terminate_group(pid)  # workers left behind by a server that did not finish its shutdown
    clear_state(pid)
    return StopResult(True, pid, time.monotonic() - began)


@dataclass(frozen=True)
class ResetResult:
    path: str
    removed_bytes: int  # 0: nothing was saved

    def to_json(self) -> dict[str, Any]:
        return {"reset": True, "path": self.path, "removed_bytes": self.removed_bytes}


def saved_state_path() -> Path:
    from webhookctl.localcloud.persistence.server_state import state_root

    return state_root(home() / "local")


def reset() -> ResetResult:
    """Forget the saved state; refused while the local cloud runs (it would write it again)."""
    import shutil

    current = status()
    if current.running:
        raise WebhookctlError(
            f"the local cloud is running (pid {current.pid}); its state cannot be forgotten under it",
            code=1,
            hint="stop it first with `webhookctl local stop`, or restart it with `webhookctl local start --fresh`",
        )
    path = saved_state_path()
    size = sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file()) if path.is_dir() else 0
    shutil.rmtree(path, ignore_errors=True)
    return ResetResult(str(path), size)


def ensure_running(port: int, start: bool = True, announce: Callable[[str], None] = lambda message: None) -> str:
    """The local cloud's endpoint on `port`, starting it in the background when it is not running."""
    current = status()
    endpoint = endpoint_for(port)
    if current.running and current.port == port:
        return current.endpoint or endpoint
    if probe(endpoint):
        return endpoint  # started elsewhere (another home, or in the foreground)
    if current.running:
        raise WebhookctlError(
            f"the local cloud is running on port {current.port}, not {port}",
            code=1,
            hint=f"set WEBHOOKCTL_LOCAL_PORT={current.port}, or stop it with `webhookctl local stop`",
        )
    if not start:
        raise WebhookctlError("the local cloud is not running", code=1, hint="start it with `webhookctl local start`")
    announce(f"starting the local cloud on {endpoint}")
    return _start_background(port=port).endpoint


# -- helpers -----------------------------------------------------------------------------------------
def _check_options(port: int, account_concurrency: int, latency_ms: int) -> None:
    from webhookctl.errors import UsageError

    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be from 1 to 65535 (got {port})")
    if account_concurrency < 100:
        raise UsageError(f"--account-concurrency must be at least 100 (got {account_concurrency})")
    if latency_ms < 0:
        raise UsageError(f"--latency-ms must not be negative (got {latency_ms})")


def _refuse_taken_port(host: str, port: int) -> None:
    if port_free(host, port):
        return
    endpoint = endpoint_for(port, host)
    found = probe(endpoint)
    if found:
        raise WebhookctlError(
            f"a local cloud (pid {found.get('pid')}) already answers at {endpoint}, started from another WEBHOOKCTL_HOME",
            code=1,
            hint="use it as it is, or pick another port with --port / WEBHOOKCTL_LOCAL_PORT",
        )
    raise WebhookctlError(
        f"port {port} on {host} is in use by another program",
        code=1,
        hint="pick another port with --port or WEBHOOKCTL_LOCAL_PORT",
    )


def _configured_retry_delays() -> tuple[float, ...]:
    from webhookctl.config import load_settings

    return tuple(load_settings("dev").local_async_retry_delays_s)


def _last_error_line(log_path: Path) -> str:
    try:
        lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    for line in reversed(lines[-30:]):
        if line.startswith("error:"):
            return line[len("error:"):].strip()
    return lines[-1] if lines else "no output"
