"""Running one invocation on a warm worker: slots, workers, timeouts, crashes, chaos and logs."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from webhookctl.localcloud.lambda_runtime import log_writer
from webhookctl.localcloud.lambda_runtime.chaos import Chaos
from webhookctl.localcloud.lambda_runtime.code_cache import CodeCache
from webhookctl.localcloud.lambda_runtime.concurrency import ConcurrencyLimits
from webhookctl.localcloud.lambda_runtime.runtime_config import RuntimeConfig
from webhookctl.localcloud.lambda_runtime.log_writer import FunctionLogs
from webhookctl.localcloud.lambda_runtime.functions import FunctionSpec, reserved_concurrency_by_function
from webhookctl.localcloud.lambda_runtime.worker import Worker, WorkerReply, new_log_stream_name
from webhookctl.localcloud.lambda_runtime.worker_pool import WorkerPool

# A fresh worker also imports the handler module: AWS gives the init phase its own 10 s.
INIT_ALLOWANCE_S = 10.0


@dataclass(frozen=True)
class Execution:
    """The outcome of one invocation, as the Invoke API and the pollers need it."""

    request_id: str
    payload: bytes
    function_error: str | None  # "Unhandled" when the function failed
    error_type: str | None
    error_message: str | None
    log_events: list


class FunctionExecutor:
    def __init__(self, config: RuntimeConfig, chaos: Chaos):
        self.config = config
        self.chaos = chaos
        self.limits = ConcurrencyLimits(config.account_concurrency)
        self.code = CodeCache(config.code_cache_dir)
        self.logs = FunctionLogs()
        self.pool: WorkerPool[Worker] = WorkerPool(config.pool_limits)

    # -- invocation -------------------------------------------------------------------------

    def execute(self, spec: FunctionSpec, payload: bytes, request_id: str, trace_id: str) -> Execution:
        """Run the function once; raises TooManyRequests when no execution slot is free."""
        total_reserved = sum(reserved_concurrency_by_function(spec.account, spec.region).values())
        self.limits.acquire(spec.arn, spec.reserved_concurrency, total_reserved)
        try:
            return self._execute_in_slot(spec, payload, request_id, trace_id)
        finally:
            self.limits.release(spec.arn, spec.reserved_concurrency)

    def _execute_in_slot(self, spec: FunctionSpec, payload: bytes, request_id: str, trace_id: str) -> Execution:
        chaos = self.chaos.roll(spec)
        if chaos is not None and chaos.latency_ms:
            time.sleep(chaos.latency_ms / 1000)
        try:
            worker, cold = self._worker_for(spec)
        except Exception as exc:  # a broken zip, or a process that cannot start
            return self._without_worker(spec, request_id, "Runtime.InvalidEntrypoint", f"RequestId: {request_id} Error: {exc}")
        events: list[list] = []
        init: WorkerReply | None = None
        if cold:
            events.append([log_writer.now_ms(), f"INIT_START Runtime Version: {spec.runtime}.local\tRuntime Version ARN: local"])
            init = worker.read_init(INIT_ALLOWANCE_S)
            self.pool.started(worker, time.monotonic() - worker.spawned_at)
            events.extend(init.header.get("logs", []))
        events.append([log_writer.now_ms(), log_writer.start_line(request_id, spec.version)])
        started = time.monotonic()
        healthy = True
        if init is not None and (init.timed_out or init.exit_reason or init.header.get("error")):
            # A failed init answers this invocation; the next one starts a fresh environment, as on AWS.
            healthy = False
            if init.header.get("error"):
                init = _error_reply(init.header["error"], init_ms=init.header.get("init_ms"))
            reply = init
        elif chaos is not None and chaos.fail:
            error = {"errorMessage": "Injected fault (local chaos)", "errorType": "ChaosInjectedError", "stackTrace": []}
            events.append([log_writer.now_ms(), f"[ERROR] ChaosInjectedError: {error['errorMessage']}"])
            reply = _error_reply(error)
        else:
            header = {
                "request_id": request_id,
                "trace_id": trace_id,
                "deadline_ms": int(time.time() * 1000) + spec.timeout_s * 1000,
                "invoked_arn": spec.arn if spec.version == "$LATEST" else spec.qualified_arn,
            }
            reply = worker.invoke(header, payload, spec.timeout_s)
            events.extend(reply.header.get("logs", []))
            events.extend(worker.drain_stray_output())
        duration_ms = (time.monotonic() - started) * 1000
        reply, status = _abnormal_end(spec, request_id, reply, events)
        healthy = healthy and status is None
        init_ms = init.header.get("init_ms") if init is not None else None
        end, report = log_writer.report_lines(
            request_id, spec.version, reply.header.get("duration_ms", duration_ms), spec.memory_mb,
            reply.header.get("max_rss_mb", 0), init_ms, status,
        )
        events += [[log_writer.now_ms(), end], [log_writer.now_ms(), report]]
        self._release(worker, healthy)
        self.logs.write(spec.account, spec.region, spec.name, spec.log_group, worker.log_stream, events)
        error = reply.header.get("error")
        return Execution(
            request_id=request_id,
            payload=reply.payload,
            function_error="Unhandled" if error else None,
            error_type=error.get("errorType") if error else None,
            error_message=error.get("errorMessage") if error else None,
            log_events=events,
        )

    def _without_worker(self, spec: FunctionSpec, request_id: str, error_type: str, message: str) -> Execution:
        error = {"errorMessage": message, "errorType": error_type}
        now = log_writer.now_ms()
        end, report = log_writer.report_lines(request_id, spec.version, 0.0, spec.memory_mb, 0, None, "error")
        events = [[now, log_writer.start_line(request_id, spec.version)], [now, f"{message}\r{error_type}"], [now, end], [now, report]]
        self.logs.write(spec.account, spec.region, spec.name, spec.log_group, new_log_stream_name(spec.version), events)
        return Execution(request_id, json.dumps(error).encode(), "Unhandled", error_type, message, events)

    # -- warm workers -----------------------------------------------------------------------

    def _worker_for(self, spec: FunctionSpec) -> tuple[Worker, bool]:
        """A warm worker (waiting for one when the pool says so), or a new one: (worker, cold)."""
        key = spec.worker_key
        worker, stale = self.pool.acquire(spec.qualified_arn, key)
        for old in stale:
            old.stop()
        if worker is not None:
            return worker, False
        try:
            return self._spawn(spec), True
        except BaseException:
            self.pool.start_failed(key)
            raise

    def prewarm(self, spec: FunctionSpec) -> bool:
        """Start a worker for `spec` before any invocation needs it, as provisioned concurrency would.

        Only when the configuration has no worker yet; a worker whose init fails is dropped, so the
        first invocation starts its own and reports the error as on AWS. True when one is now warm.
        """
        go, stale = self.pool.reserve_warm_start(spec.qualified_arn, spec.worker_key)
        for old in stale:
            old.stop()
        if not go:
            return False
        try:
            worker = self._spawn(spec)
        except Exception:  # a broken zip: the first invocation reports it
            self.pool.start_failed(spec.worker_key)
            return False
        started = log_writer.now_ms()
        init = worker.read_init(INIT_ALLOWANCE_S)
        healthy = not (init.timed_out or init.exit_reason or init.header.get("error"))
        if healthy:
            events = [[started, f"INIT_START Runtime Version: {spec.runtime}.local\tRuntime Version ARN: local"]]
            self.logs.write(spec.account, spec.region, spec.name, spec.log_group, worker.log_stream, events + init.header.get("logs", []))
        if not self.pool.prestarted(worker, time.monotonic() - worker.spawned_at, healthy):
            worker.stop()
            return False
        return True

    def _spawn(self, spec: FunctionSpec) -> Worker:
        import_path = self.code.import_path(spec)
        stream = new_log_stream_name(spec.version)
        return Worker(spec.worker_key, spec.name, import_path, self._environment(spec, import_path, stream), stream)

    def _environment(self, spec: FunctionSpec, import_path: list[str], stream: str) -> dict[str, str]:
        env = dict(spec.environment)
        env.update(
            {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "LAMBDA_TASK_ROOT": import_path[0],
                "LAMBDA_RUNTIME_DIR": import_path[-1],
                "_HANDLER": spec.handler,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
                "AWS_LAMBDA_LOG_STREAM_NAME": stream,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                # Dummy credentials: the local cloud's endpoint is the only one the SDK talks to.
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_ENDPOINT_URL": self.config.endpoint_url,
                **_table_endpoints(self.config.table_endpoint_url),
                # No shared config or credentials files exist on Lambda; never read the host's.
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            }
        )
        if os.environ.get("WEBHOOKCTL_LOCAL_WORKER_PROFILE"):  # a diagnostic: cProfile in every worker (bootstrap.py)
            env["_WEBHOOKCTL_PROFILE_DIR"] = os.environ["WEBHOOKCTL_LOCAL_WORKER_PROFILE"]
        return env

    def _release(self, worker: Worker, healthy: bool) -> None:
        if not self.pool.release(worker, healthy):
            worker.stop()

    def stop_function(self, name: str) -> int:
        """Stop every idle worker of a function (DeleteFunction); busy ones stop when they finish."""
        stopped = self.pool.remove_function(name)
        for worker in stopped:
            worker.stop()
        return len(stopped)

    def reap_idle(self) -> None:
        for worker in self.pool.expire_idle(time.monotonic() - self.config.idle_worker_ttl_s):
            worker.stop()

    def workers(self) -> list[Worker]:
        return self.pool.workers()

    def shutdown(self) -> None:
        for worker in self.pool.clear():
            worker.stop()


def _iso_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def _table_endpoints(table_endpoint_url: str | None) -> dict[str, str]:
    """The SDK's per-service endpoint variables, so DynamoDB calls go straight to the table process."""
    if table_endpoint_url is None:
        return {}
    return {"AWS_ENDPOINT_URL_DYNAMODB": table_endpoint_url, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": table_endpoint_url}


def _error_reply(error: dict, **header: object) -> WorkerReply:
    return WorkerReply(header={"error": error, **header}, payload=json.dumps(error).encode())


def _abnormal_end(spec: FunctionSpec, request_id: str, reply: WorkerReply, events: list) -> tuple[WorkerReply, str | None]:
    """A run that timed out or whose worker exited, as AWS answers and logs it: (the reply, the REPORT line's status)."""
    if reply.timed_out:
        message = f"RequestId: {request_id} Error: Task timed out after {spec.timeout_s:.2f} seconds"
        events.append([log_writer.now_ms(), f"{_iso_now()} {request_id} Task timed out after {spec.timeout_s:.2f} seconds"])
        return _error_reply({"errorMessage": message, "errorType": "Sandbox.Timedout"}), "timeout"
    if reply.exit_reason is not None:
        message = f"RequestId: {request_id} Error: {reply.exit_reason}"
        events.append([log_writer.now_ms(), f"{message}\rRuntime.ExitError"])
        return _error_reply({"errorMessage": message, "errorType": "Runtime.ExitError"}), "error\tError Type: Runtime.ExitError"
    return reply, None
