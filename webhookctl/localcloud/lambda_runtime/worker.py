"""One warm execution environment: a worker process running bootstrap.py, spoken to over pipes."""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
_FRAME = struct.Struct(">II")


@dataclass
class WorkerReply:
    """What came back from one invocation, or why nothing did."""

    header: dict = field(default_factory=dict)
    payload: bytes = b""
    timed_out: bool = False
    exit_reason: str | None = None  # set when the process died mid-invocation


class Worker:
    """A persistent interpreter for one function configuration (FunctionSpec.worker_key)."""

    def __init__(self, key: str, function_name: str, import_path: list[str], environment: dict[str, str], log_stream: str):
        self.key = key
        self.function_name = function_name
        self.log_stream = log_stream
        self.spawned_at = self.last_used = time.monotonic()
        self.invocations = 0
        self._stray_lock = threading.Lock()
        self._stray: list[list] = []
        self._buffer = bytearray()
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-u", str(BOOTSTRAP), *import_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=import_path[0],
            close_fds=True,
        )
        self._out_fd = self.process.stdout.fileno()
        threading.Thread(target=self._collect_stderr, name=f"lambda-stderr-{function_name}", daemon=True).start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def invoke(self, header: dict, payload: bytes, timeout_s: float) -> WorkerReply:
        """Send one event and wait for its reply, at most `timeout_s`."""
        self.invocations += 1
        encoded = json.dumps(header, separators=(",", ":")).encode()
        try:
            self.process.stdin.write(_FRAME.pack(len(encoded), len(payload)) + encoded + payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return WorkerReply(exit_reason=self._exit_reason())
        deadline = time.monotonic() + timeout_s
        reply = self._read_reply(deadline)
        self.last_used = time.monotonic()
        return reply

    def read_init(self, timeout_s: float) -> WorkerReply:
        """The init phase's report: handler imported (or the error), with its duration and output."""
        return self._read_reply(time.monotonic() + timeout_s)

    def _read_reply(self, deadline: float) -> WorkerReply:
        need = _FRAME.size
        lengths = None
        while True:
            if lengths is None and len(self._buffer) >= _FRAME.size:
                lengths = _FRAME.unpack_from(self._buffer)
                need = _FRAME.size + lengths[0] + lengths[1]
            if lengths is not None and len(self._buffer) >= need:
                header_end = _FRAME.size + lengths[0]
                header = json.loads(bytes(self._buffer[_FRAME.size:header_end]))
                payload = bytes(self._buffer[header_end:need])
                del self._buffer[:need]
                return WorkerReply(header=header, payload=payload)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return WorkerReply(timed_out=True)
            ready, _, _ = select.select([self._out_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._out_fd, max(65536, need - len(self._buffer)))
            if not chunk:
                return WorkerReply(exit_reason=self._exit_reason())
            self._buffer += chunk

    def _exit_reason(self) -> str:
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "Runtime exited without providing a reason"
        if code < 0:
            import signal

            try:
                name = signal.Signals(-code).name.removeprefix("SIG").lower()
            except ValueError:
                name = str(-code)
            name = {"kill": "killed", "term": "terminated", "segv": "segmentation fault", "abrt": "aborted"}.get(name, name)
            return f"Runtime exited with error: signal: {name}"
        return f"Runtime exited with error: exit status {code}"

    def _collect_stderr(self) -> None:
        """Output written below Python's sys.stdout (fd 1 or 2) still belongs in the function's logs."""
        stream = self.process.stderr
        for line in iter(stream.readline, b""):
            with self._stray_lock:
                self._stray.append([int(time.time() * 1000), line.decode("utf-8", "replace").rstrip("\n")])

    def drain_stray_output(self) -> list[list]:
        with self._stray_lock:
            lines, self._stray = self._stray, []
        return lines

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def new_log_stream_name(version: str) -> str:
    """Lambda's naming: one stream per execution environment."""
    return time.strftime("%Y/%m/%d", time.gmtime()) + f"/[{version}]{uuid.uuid4().hex}"
