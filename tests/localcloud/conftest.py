"""An in-process local cloud (overlays + moto) on a free port, with a scripted Lambda runtime."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import pytest


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status_code: int = 200
    payload: bytes = b'{"statusCode": 200, "body": "ok"}'
    function_error: str | None = None
    log_result: str | None = None
    executed_version: str = "$LATEST"
    error_type: str | None = None


@dataclass
class ScriptedRuntime:
    """Records each invocation and answers with `respond(event)`; stands in for the worker processes."""

    respond: Callable[[dict], Answer] = lambda event: Answer()
    calls: list[dict] = field(default_factory=list)
    chaos: dict[str, tuple[float, int]] = field(default_factory=dict)

    def invoke(self, function: str, payload: bytes, **kwargs) -> Answer:
        event = json.loads(payload)
        self.calls.append({"function": function, "event": event, **kwargs})
        return self.respond(event)

    def set_chaos(self, component: str, error_rate: float, latency_ms: int) -> None:
        self.chaos[component] = (error_rate, latency_ms)

    def clear_chaos(self) -> None:
        self.chaos.clear()


@dataclass
class InProcessCloud:
    endpoint: str
    runtime: ScriptedRuntime


def serve_in_thread(app) -> tuple[str, Callable[[], None]]:
    from webhookctl.localcloud.server import ServerConfig, make_http_server

    config = ServerConfig(port=free_port())
    server = make_http_server(config, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return config.endpoint, stop


@pytest.fixture(scope="module")
def cloud() -> Iterator[InProcessCloud]:
    from webhookctl.localcloud.server import compose_app

    runtime = ScriptedRuntime()
    app, data_plane = compose_app(runtime, None)
    endpoint, stop = serve_in_thread(app)
    try:
        yield InProcessCloud(endpoint, runtime)
    finally:
        stop()
        data_plane.shutdown()


@pytest.fixture
def boto(cloud: InProcessCloud, aws_credentials: None):
    import boto3

    def client(service: str):
        return boto3.client(service, region_name="us-east-1", endpoint_url=cloud.endpoint)

    return client


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
