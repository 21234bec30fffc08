"""How the installed `webhookctl` behaves at the edges of a terminal: NO_COLOR, a closed stdout, Ctrl-C, --version."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import webhookctl

WEBHOOKCTL = shutil.which("webhookctl") or str(Path(sys.executable).with_name("webhookctl"))
BAD_ENV = ["status", "--env", "Bad_Env"]  # fails at once, offline, with an error and a hint


def _environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEBHOOKCTL_")) and k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**keep, "WEBHOOKCTL_HOME": str(tmp_path / "home"), "WEBHOOKCTL_TARGET": "aws", "TERM": "xterm-256color", **extra}


def _on_a_terminal(args: list[str], environ: dict[str, str]) -> tuple[int, bytes]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; (exit code, everything it wrote)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([WEBHOOKCTL, *args], stdin=follower, stdout=follower, stderr=follower, env=environ, close_fds=True)
    os.close(follower)
    written = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            written += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=30), written


def test_no_color_means_no_escape_codes_on_a_terminal(tmp_path: Path) -> None:
    code, colored = _on_a_terminal(BAD_ENV, _environ(tmp_path))
    assert code == 2 and b"\x1b[" in colored  # a terminal gets styles by default
    code, plain = _on_a_terminal(BAD_ENV, _environ(tmp_path, NO_COLOR="1"))
    assert code == 2 and b"\x1b" not in plain, plain
    assert plain.decode().splitlines()[0].startswith("error: invalid env name")


def test_a_closed_stdout_is_a_failure_not_silence(tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text('{"id": "evt_1"}')
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: nobody will read
    done = subprocess.run(
        [WEBHOOKCTL, "sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json"],
        stdout=write_end, stderr=subprocess.PIPE, cwd=tmp_path, env=_environ(tmp_path), text=True, timeout=60,
    )
    os.close(write_end)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.stderr.splitlines() == ["error: stdout was closed before all the output was written"]


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections and never answers: the command waits
    endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
    try:
        process = subprocess.Popen(
            [WEBHOOKCTL, "status", "--endpoint-url", endpoint, "-o", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environ(tmp_path, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing"), text=True,
        )
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        silent.close()
    assert process.returncode == 130, err
    assert err.splitlines() == ["error: interrupted"], err
    assert out == '{"error": "interrupted", "hint": null, "exit_code": 130}\n'


def test_version(tmp_path: Path) -> None:
    done = subprocess.run([WEBHOOKCTL, "--version"], capture_output=True, text=True, env=_environ(tmp_path), timeout=60)
    assert done.returncode == 0 and done.stdout == f"webhookctl {webhookctl.__version__}\n"
