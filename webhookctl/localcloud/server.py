"""The local cloud's server process: overlays + moto in one threaded WSGI server on 127.0.0.1."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A request (headers and body) must arrive within this long; slow or stalled clients are cut off with 408.
REQUEST_DEADLINE_S = 10.0

# The services `up` and the handlers use; their moto apps are built right after the port is bound.
WARM_SERVICES = (
    "sts", "iam", "kms", "dynamodb", "dynamodbstreams", "awslambda", "apigateway", "sqs", "sns",
    "logs", "secretsmanager", "wafv2", "cloudwatch", "xray", "resourcegroupstaggingapi",
)


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 4566
    account_concurrency: int = 1000
    latency_ms: int = 0
    async_retry_delays_s: tuple[float, ...] = (1.0, 2.0)
    work_dir: Path = field(default_factory=lambda: Path.home() / ".webhookctl" / "local")
    fresh: bool = False  # forget the saved state (under work_dir/state) instead of loading it

    @property
    def reachable_host(self) -> str:
        """Where this machine's own clients reach the server (a wildcard bind answers on loopback)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host

    @property
    def endpoint(self) -> str:
        return f"http://{self.reachable_host}:{self.port}"


class PortInUse(OSError):
    """The port is taken by another process."""


def build_app(config: ServerConfig, table_endpoint: str | None = None,
              functions_endpoint: str | None = None) -> tuple[Any, list[Any]]:
    """The WSGI app with the Lambda runtime, and the objects to start and shut down with it.

    With `table_endpoint`, DynamoDB lives in the table process there (see localcloud.tables). Functions
    call AWS at `functions_endpoint` (default: the public endpoint).
    """
    from webhookctl.localcloud.lambda_runtime import LambdaOverlay, LambdaRuntime, RuntimeConfig
    from webhookctl.localcloud.moto_bridge import moto_queue_tuning, moto_tuning

    moto_tuning.apply()
    moto_queue_tuning.apply()
    runtime = LambdaRuntime(
        RuntimeConfig(
            account_concurrency=config.account_concurrency,
            async_retry_delays_s=config.async_retry_delays_s,
            endpoint_url=functions_endpoint or config.endpoint,
            table_endpoint_url=table_endpoint,
            work_dir=config.work_dir,
        )
    )
    app, data_plane = compose_app(runtime, LambdaOverlay(runtime), latency_ms=config.latency_ms, table_endpoint=table_endpoint)
    return app, [runtime, data_plane]


def compose_app(runtime: Any, lambda_overlay: Any | None, *, latency_ms: int = 0,
                table_endpoint: str | None = None) -> tuple[Any, Any]:
    """LocalCloudApp: admin endpoints, control-plane latency, the table process, the API Gateway data plane, Lambda, then moto."""
    from webhookctl.localcloud.account_settings import AccountLoggingRole
    from webhookctl.localcloud.admin import AdminEndpoints
    from webhookctl.localcloud.app import LocalCloudApp, moto_app
    from webhookctl.localcloud.aws_rules import AwsLimitRules
    from webhookctl.localcloud.gateway.data_plane import ApiGatewayDataPlane
    from webhookctl.localcloud.latency import ControlPlaneLatency

    data_plane = ApiGatewayDataPlane(runtime)
    overlays: list[Any] = [AdminEndpoints(runtime)]
    if latency_ms > 0:
        overlays.append(ControlPlaneLatency(latency_ms))  # first, so every AWS API call pays it
    overlays.append(AwsLimitRules())  # AWS's limits that moto does not enforce, before any service sees the call
    served_here = frozenset({"dynamodb", "dynamodbstreams", "logs", "sqs"})
    if table_endpoint is not None:
        from webhookctl.localcloud.tables.remote import RemoteShards, TableConnection, TableForwarding, adopt_stream_mappings

        connection = TableConnection(table_endpoint)
        overlays.append(TableForwarding(connection))
        adopt_stream_mappings(RemoteShards(connection))  # moto's CreateEventSourceMapping looks for streams here
        served_here = frozenset({"logs", "sqs"})
    overlays.append(AccountLoggingRole())  # the account starts with API Gateway's CloudWatch role, as a used one has
    overlays.append(data_plane)
    if lambda_overlay is not None:
        from webhookctl.localcloud.lambda_runtime.secret_changes import SecretChanges

        overlays.append(SecretChanges(runtime))
        overlays.append(lambda_overlay)
    backend = moto_app()
    direct = None
    if latency_ms <= 0:  # with added latency every AWS call must pass the latency overlay
        from webhookctl.localcloud.moto_bridge.json_routes import JsonProtocolRoutes

        from webhookctl.localcloud.aws_rules import RULED_JSON_OPERATIONS

        direct = JsonProtocolRoutes(backend, on_table_write=getattr(runtime, "table_written", None), services=served_here,
                                    leave_to_overlays=RULED_JSON_OPERATIONS)
    return LocalCloudApp(overlays, backend, direct), data_plane


class HttpServer:
    """cheroot's WSGI server: a fixed thread pool behind a selector, so idle keep-alive connections hold no thread.

    Each request must arrive in full within `request_deadline_s` (else 408 and the connection is closed), and
    connections beyond what the pool can queue get 503 at once rather than waiting unboundedly.
    """

    def __init__(self, host: str, port: int, app: Any, threads: int, request_deadline_s: float = REQUEST_DEADLINE_S):
        from cheroot import wsgi

        from webhookctl.localcloud.http_guard import RequestDeadlines, guarded_connection_class, read_whole_request

        self._deadlines = RequestDeadlines(request_deadline_s)
        self._server = wsgi.Server(
            (host, port), read_whole_request(app) if app is not None else None, numthreads=threads,
            request_queue_size=256, timeout=60, shutdown_timeout=2,
            accepted_queue_size=threads * 2, accepted_queue_timeout=0,
        )
        self._server.ConnectionClass = guarded_connection_class(self._deadlines)
        self._server.server_name = "webhookctl-local"
        try:
            self._server.prepare()  # binds now, so a taken port fails here rather than in a thread
        except OSError as exc:
            raise PortInUse(f"port {port} on {host} is already in use") from exc

    @property
    def port(self) -> int:
        return self._server.bind_addr[1]  # the bound one, when asked for port 0

    def serve(self, app: Any) -> None:
        """Serve `app` from now on (a listener may be bound before its app exists)."""
        from webhookctl.localcloud.http_guard import read_whole_request

        self._server.wsgi_app = read_whole_request(app)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._server.serve()

    def shutdown(self) -> None:
        self._deadlines.stop()
        self._server.stop()

    def server_close(self) -> None:
        pass  # stop() closes the socket


def make_http_server(config: ServerConfig, app: Any, threads: int = 256) -> HttpServer:
    """Threads must outnumber concurrent data-plane requests: each waits while its function runs."""
    return HttpServer(config.host, config.port, app, threads)


def make_callback_listener(config: ServerConfig, threads: int = 64) -> HttpServer:
    """A loopback listener only functions call, so their AWS calls never queue behind data-plane requests."""
    return HttpServer(config.reachable_host, 0, None, threads)


def warm_up(app: Any) -> None:
    """Build moto's per-service apps now rather than on the first call of each service."""
    backend = app.backend
    for service in WARM_SERVICES:
        with backend.lock:
            if service not in backend.app_instances:
                backend.app_instances[service] = backend.create_app(service)


def serve(config: ServerConfig) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code."""
    from webhookctl.localcloud.persistence.journal import DamagedState
    from webhookctl.localcloud.persistence.server_state import load_server_state, open_server_state
    from webhookctl.localcloud.tables.remote import TableProcess, TableProcessFailed

    gc.disable()  # start-up makes only what lives on (modules, backends, saved state): see _collect_from_now
    config.work_dir.mkdir(parents=True, exist_ok=True)
    # WEBHOOKCTL_LOCAL_TABLES=in-process keeps DynamoDB in this process (to compare the two).
    separate = os.environ.get("WEBHOOKCTL_LOCAL_TABLES", "process") != "in-process"
    tables = TableProcess(config.reachable_host, config.work_dir, config.fresh) if separate else None
    _import_moto()  # while the table process starts
    try:
        server = make_http_server(config, None)
        callbacks = make_callback_listener(config)
        functions_endpoint = f"http://{config.reachable_host}:{callbacks.port}"
        loaded = load_server_state(config.work_dir, fresh=config.fresh)  # while the table process loads its own
        app, parts = build_app(config, tables.wait_ready() if tables else None, functions_endpoint)
        saved = open_server_state(config.work_dir, app, parts[0], tables_elsewhere=separate, fresh=config.fresh, loaded=loaded)
        server.serve(saved.app)
        callbacks.serve(saved.app)
    except (PortInUse, TableProcessFailed, DamagedState) as exc:
        if tables:
            tables.stop()
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    for part in parts:
        if hasattr(part, "start"):
            part.start()
    saved.resume()
    _collect_from_now()

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True)
    serving.start()
    threading.Thread(target=callbacks.serve_forever, name="http-functions", daemon=True).start()
    state = f"; {saved.restored.describe()}" if saved.restored is not None else ""
    print(f"local cloud listening on {config.endpoint} (pid {_pid()}{state})", file=sys.stderr, flush=True)
    threading.Thread(target=warm_up, args=(app,), name="warm-up", daemon=True).start()

    while not stopping.wait(0.5):
        if not serving.is_alive():
            break
        if tables and tables.exit_code is not None:  # DynamoDB and everything in it are gone: stop rather than serve half a cloud
            print(f"error: the table process exited (code {tables.exit_code}); stopping", file=sys.stderr, flush=True)
            break
    started = time.monotonic()
    server.shutdown()
    callbacks.shutdown()
    for part in parts:
        part.shutdown()
    saved.close()
    server.server_close()
    if tables:
        tables.stop()
    print(f"local cloud stopped ({time.monotonic() - started:.1f} s to shut down)", file=sys.stderr, flush=True)
    return 0


def _collect_from_now() -> None:
    """The cyclic collector back on, with everything made during start-up out of its sight (gc.freeze):
    collections while hundreds of thousands of long-lived objects were being made cost more than the making."""
    gc.freeze()
    gc.enable()


def _import_moto() -> None:
    from webhookctl.localcloud.moto_bridge.guard import check_all

    import webhookctl.localcloud.moto_bridge.server_app  # noqa: F401
    check_all()  # a moto the bridge does not know is refused here, before anything serves
    import webhookctl.localcloud.lambda_runtime  # noqa: F401


def _pid() -> int:
    return os.getpid()
