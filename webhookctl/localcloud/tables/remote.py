"""The server's side of the table process: starting it, forwarding to it, and reading its streams."""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.moto_bridge.stream_mappings import adopt_stream_mappings  # noqa: F401 (its callers import it here)
from webhookctl.localcloud.overlay_chain import Forward
from webhookctl.localcloud.tables.streams import ShardInfo

# X-Amz-Target prefixes of the calls the table process serves.
TABLE_TARGETS = ("DynamoDB_20120810.", "DynamoDBStreams_20120810.")
# Headers that describe one hop, not the request.
_HOP_HEADERS = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "content-length"})


class TableProcessFailed(RuntimeError):
    """The table process did not start."""


class TableProcess:
    """The child process; it exits when this process closes its standard input, or dies."""

    def __init__(self, host: str = "127.0.0.1", work_dir: Path | None = None, fresh: bool = False):
        self.host = host
        command = [sys.executable, "-m", "webhookctl.localcloud.tables", "--host", host, "--port", "0"]
        if work_dir is not None:  # where it keeps its saved state
            command += ["--work-dir", str(work_dir)] + (["--fresh"] if fresh else [])
        self._child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def wait_ready(self, timeout_s: float = 30.0) -> str:
        """The table process's endpoint, once it listens."""
        deadline = time.monotonic() + timeout_s
        stdout = self._child.stdout
        assert stdout is not None
        while time.monotonic() < deadline:
            readable, _, _ = select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not readable:
                break
            line = stdout.readline().decode(errors="replace").strip()
            if not line:
                raise TableProcessFailed(f"the table process exited (code {self._child.wait()})")
            if line.startswith("port "):
                return f"http://{self.host}:{int(line.split()[1])}"
            if line.startswith("error "):
                self.stop()
                raise TableProcessFailed(line[len("error "):])
        self.stop()
        raise TableProcessFailed(f"the table process did not listen within {timeout_s:.0f} s")

    @property
    def exit_code(self) -> int | None:
        return self._child.poll()

    def stop(self, timeout_s: float = 30.0) -> None:  # time for its last snapshot
        if self._child.stdin is not None and not self._child.stdin.closed:
            with contextlib.suppress(OSError):
                self._child.stdin.write(b"stop\n")  # an orderly stop: it saves a last snapshot
            with contextlib.suppress(OSError):
                self._child.stdin.close()  # its cue to exit
        try:
            self._child.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


class TableConnection:
    """Keep-alive HTTP connections to the table process, one per calling thread."""

    def __init__(self, endpoint: str):
        parts = urlsplit(endpoint)
        self.endpoint = endpoint
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._local = threading.local()

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout_s: float = 60.0) -> tuple[int, list[tuple[str, str]], bytes]:
        for attempt in (1, 2):
            connection = self._connection(timeout_s)
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection before this request reached it.
                self._drop()
                if attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self._drop()
                raise
        raise AssertionError("unreachable")

    def get_json(self, path: str, query: dict[str, Any], timeout_s: float = 10.0) -> tuple[int, Any]:
        status, _, body = self.request("GET", f"{path}?{urlencode(query)}", timeout_s=timeout_s)
        return status, json.loads(body or b"null")

    def _connection(self, timeout_s: float) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = http.client.HTTPConnection(*self._address, timeout=timeout_s)
        else:
            connection.timeout = timeout_s
            if connection.sock is not None:
                connection.sock.settimeout(timeout_s)
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()


class TableForwarding:
    """Overlay: DynamoDB and DynamoDB Streams calls go to the table process, unchanged."""

    def __init__(self, connection: TableConnection):
        self.connection = connection

    def handle(self, request: Request, forward: Forward) -> Response | None:
        if not request.headers.get("X-Amz-Target", "").startswith(TABLE_TARGETS):
            return None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        try:
            status, answer_headers, body = self.connection.request(request.method, request.full_path.rstrip("?"),
                                                                   request.get_data(cache=True), headers)
        except (OSError, http.client.HTTPException) as exc:
            message = {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": f"table process unreachable: {exc}"}
            return Response(json.dumps(message), status=500, content_type="application/x-amz-json-1.0")
        kept = [(k, v) for k, v in answer_headers if k.lower() not in _HOP_HEADERS]
        return Response(body, status=status, headers=kept)


class RemoteShards:
    """Stream shards read from the table process (the same interface as streams.LocalShards)."""

    def __init__(self, connection: TableConnection):
        self.connection = connection

    def read(self, account: str, region: str, stream_arn: str, token: str | None, start: int, limit: int,
             wait_s: float, window_s: float) -> tuple[ShardInfo | None, list[dict[str, Any]]]:
        """One long poll: the table process waits for records and for the batch window itself."""
        status, document = self.connection.get_json("/_webhookctl/tables/records", {
            "account": account, "region": region, "arn": stream_arn, "token": token or "", "start": start,
            "limit": limit, "wait": wait_s, "window": window_s}, timeout_s=wait_s + window_s + 10)
        if status != 200:
            return None, []
        return ShardInfo(**document["shard"]), document["records"]

    def index_at(self, account: str, region: str, stream_arn: str, token: str, since_epoch: float) -> int:
        status, document = self.connection.get_json("/_webhookctl/tables/index-at", {
            "account": account, "region": region, "arn": stream_arn, "token": token, "since": since_epoch})
        return document["index"] if status == 200 else 0

    def stream_exists(self, account: str, region: str, stream_arn: str) -> bool:
        status, _ = self.connection.get_json("/_webhookctl/tables/shard", {"account": account, "region": region, "arn": stream_arn})
        return status == 200

