"""LambdaRuntime: the Invoke API's behaviour, for the overlay and for API Gateway's AWS_PROXY integrations."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from typing import Any

from webhookctl.localcloud.lambda_runtime import log_writer
from webhookctl.localcloud.lambda_runtime.async_invocations import AsyncInvoker, QueuedEvent
from webhookctl.localcloud.lambda_runtime.chaos import Chaos
from webhookctl.localcloud.lambda_runtime.runtime_config import RuntimeConfig
from webhookctl.localcloud.lambda_runtime.destinations import DeadLetterConfigs
from webhookctl.localcloud.doorbell import Doorbell
from webhookctl.localcloud.lambda_runtime.durability import RuntimeDurability
from webhookctl.localcloud.lambda_runtime.execution import Execution, FunctionExecutor
from webhookctl.localcloud.lambda_runtime.functions import FunctionSpec, load_function
from webhookctl.localcloud.lambda_runtime.results import InvalidParameterValue, InvokeResult, ResourceNotFound
from webhookctl.localcloud.lambda_runtime.warm_starts import WarmStarts

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
# Synchronous payload limit (6 MB) and the async one (256 KB).
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 256 * 1024


class LambdaRuntime:
    def __init__(self, config: RuntimeConfig):
        self.config = config
        self.chaos = Chaos()
        self.dead_letters = DeadLetterConfigs()
        self.executor = FunctionExecutor(config, self.chaos)
        self.async_invoker = AsyncInvoker(config, self.executor, self.dead_letters)
        # Rung after every DynamoDB write the server answers, so stream pollers sleep until there is news.
        self.stream_doorbell = Doorbell()
        self.stream_shards = _stream_source(config, self.stream_doorbell)
        from webhookctl.localcloud.lambda_runtime.event_source_mappings import EventSourceMappings

        self.mappings = EventSourceMappings(self)
        self.warm_starts = WarmStarts(self._warm_start)
        self.durability = RuntimeDurability()
        self._started = False
        self._stopping = threading.Event()

    def keep_state_with(self, durability: RuntimeDurability) -> None:
        """Tell `durability` of every queued event and stream position (set before start)."""
        self.durability = self.async_invoker.durability = durability

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        os.makedirs(self.config.code_cache_dir, exist_ok=True)
        self.async_invoker.start()
        threading.Thread(target=self._housekeeping, name="lambda-housekeeping", daemon=True).start()

    def shutdown(self) -> None:
        self._stopping.set()
        self.warm_starts.stop()
        self.mappings.stop_all()
        self.async_invoker.shutdown()
        self.executor.shutdown()

    def invoke(
        self,
        function: str,
        payload: bytes,
        *,
        invocation_type: str = "RequestResponse",
        region: str,
        account: str,
        log_type: str | None = None,
        trace_header: str | None = None,
        qualifier: str | None = None,
    ) -> InvokeResult:
        """Invoke as the Lambda API does; raises ResourceNotFound, TooManyRequests or InvalidParameterValue."""
        if invocation_type not in INVOCATION_TYPES:
            raise InvalidParameterValue(f"Invalid InvocationType: {invocation_type}")
        spec = load_function(account, region, function, qualifier)
        _check_json(payload)
        if invocation_type == "DryRun":
            return InvokeResult(status_code=204, payload=b"", executed_version=spec.version)
        trace_id = trace_header or new_trace_id()
        request_id = str(uuid.uuid4())
        if invocation_type == "Event":
            if len(payload) > MAX_ASYNC_PAYLOAD:
                raise RequestTooLarge(len(payload), MAX_ASYNC_PAYLOAD)
            self.async_invoker.submit(
                QueuedEvent(account=account, region=region, function=spec.name, qualifier=qualifier or _qualifier_of(function),
                            payload=payload, request_id=request_id, trace_id=trace_id)
            )
            return InvokeResult(status_code=202, payload=b"", executed_version=spec.version)
        if len(payload) > MAX_SYNC_PAYLOAD:
            raise RequestTooLarge(len(payload), MAX_SYNC_PAYLOAD)
        execution = self.executor.execute(spec, payload, request_id, trace_id)
        return _result(spec, execution, log_type)

    def execute(self, spec: FunctionSpec, payload: bytes) -> Execution:
        """A synchronous invocation on behalf of an event source mapping."""
        return self.executor.execute(spec, payload, str(uuid.uuid4()), new_trace_id())

    def set_chaos(self, component: str, error_rate: float, latency_ms: int) -> None:
        self.chaos.set(component, error_rate, latency_ms)

    def clear_chaos(self) -> None:
        self.chaos.clear()

    def table_written(self) -> None:
        """A DynamoDB write was answered: stream records may have arrived."""
        self.stream_doorbell.ring()

    def sync_event_source_mappings(self) -> None:
        """Take over delivery for every mapping moto holds; stop pollers of deleted mappings."""
        self.mappings.sync()

    def function_changed(self, account: str, region: str, name: str) -> None:
        """CreateFunction, UpdateFunctionCode or UpdateFunctionConfiguration succeeded: warm it up soon."""
        if self.config.warm_start_functions:
            self.warm_starts.changed(account, region, name)

    def _warm_start(self, account: str, region: str, name: str) -> None:
        try:
            spec = load_function(account, region, name)
        except ResourceNotFound:
            return  # deleted meanwhile
        if spec.reserved_concurrency != 0:  # a function throttled to 0 never runs
            self.executor.prewarm(spec)

    def stop_function(self, account: str, region: str, name: str) -> None:
        """DeleteFunction: its workers stop and its DeadLetterConfig is forgotten."""
        self.warm_starts.forget(account, region, name)
        self.executor.stop_function(name)
        self.dead_letters.forget(account, region, name)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        return self.async_invoker.wait_idle(timeout_s)

    def _housekeeping(self) -> None:
        while not self._stopping.wait(1.0):
            try:
                self.executor.reap_idle()
                self.mappings.sync()
            except Exception:  # housekeeping must outlive any one bad pass
                pass


def _stream_source(config: RuntimeConfig, doorbell: Doorbell) -> Any:
    """Where stream pollers read shards: moto in this process, or the table process."""
    if config.table_endpoint_url is None:
        from webhookctl.localcloud.tables.streams import LocalShards

        return LocalShards(doorbell)  # the server's own DynamoDB writes ring the doorbell
    from webhookctl.localcloud.tables.remote import RemoteShards, TableConnection

    return RemoteShards(TableConnection(config.table_endpoint_url))


class InvalidRequestContent(InvalidParameterValue):
    code = "InvalidRequestContentException"


def _check_json(payload: bytes) -> None:
    """Lambda refuses a payload that is not JSON before anything runs."""
    if not payload:
        return
    try:
        json.loads(payload)
    except ValueError as exc:
        raise InvalidRequestContent(f"Could not parse request body into json: {exc}") from None


class RequestTooLarge(InvalidParameterValue):
    status = 413
    code = "RequestTooLargeException"

    def __init__(self, size: int, limit: int):
        super().__init__(f"Request must be smaller than {limit} bytes for the InvokeFunction operation")


def _result(spec: FunctionSpec, execution: Execution, log_type: str | None) -> InvokeResult:
    return InvokeResult(
        status_code=200,
        payload=execution.payload,
        function_error=execution.function_error,
        log_result=log_writer.tail(execution.log_events) if log_type == "Tail" else None,
        executed_version=spec.version,
        error_type=execution.error_type,
    )


def _qualifier_of(function: str) -> str | None:
    from webhookctl.localcloud.lambda_runtime.functions import split_name

    return split_name(function, None)[1]


def new_trace_id() -> str:
    """An X-Ray trace header like the one Lambda passes when the caller sent none."""
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
