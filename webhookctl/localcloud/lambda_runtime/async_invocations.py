"""Event (async) invocations: an in-memory queue, retries per the event invoke config, then the DLQ."""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from webhookctl.localcloud.lambda_runtime.runtime_config import RuntimeConfig
from webhookctl.localcloud.lambda_runtime.destinations import (
    DeadLetterConfigs,
    DestinationError,
    as_json,
    dead_letter_attributes,
    send_to_target,
)
from webhookctl.localcloud.lambda_runtime.durability import RuntimeDurability
from webhookctl.localcloud.lambda_runtime.execution import FunctionExecutor
from webhookctl.localcloud.lambda_runtime.functions import FunctionSpec, event_invoke_config, load_function
from webhookctl.localcloud.lambda_runtime.results import ResourceNotFound, TooManyRequests

log = logging.getLogger(__name__)

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE_S = 21600
# A throttled event is put back with a growing pause, never counted as a retry (as AWS does).
THROTTLE_BACKOFF_S = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


@dataclass
class QueuedEvent:
    account: str
    region: str
    function: str
    qualifier: str | None
    payload: bytes
    request_id: str
    trace_id: str
    enqueued_at: float = field(default_factory=time.time)
    invoke_count: int = 0
    function_errors: int = 0
    throttles: int = 0
    last_status: int = 200
    last_error: str = ""
    last_response: bytes = b""


@dataclass(frozen=True, order=True)  # the retry heap orders by (due, order)
class Retry:
    due: float
    order: int
    event: QueuedEvent = field(compare=False)


class AsyncInvoker:
    def __init__(self, config: RuntimeConfig, executor: FunctionExecutor, dead_letters: DeadLetterConfigs):
        self.config = config
        self.executor = executor
        self.dead_letters = dead_letters
        self.durability = RuntimeDurability()
        self._queue: queue.Queue[QueuedEvent | None] = queue.Queue()
        self._retries: list[Retry] = []
        self._retry_order = itertools.count()
        self._retry_ready = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._idle = threading.Condition(self._pending_lock)

    def start(self) -> None:
        for index in range(self.config.async_threads):
            thread = threading.Thread(target=self._run, name=f"lambda-async-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        scheduler = threading.Thread(target=self._schedule_retries, name="lambda-async-retries", daemon=True)
        scheduler.start()
        self._threads.append(scheduler)

    def submit(self, event: QueuedEvent) -> None:
        with self._pending_lock:
            self._pending += 1
        self.durability.async_submitted(event)
        self._queue.put(event)

    def wait_idle(self, timeout_s: float) -> bool:
        """True once every queued event has been delivered or given up on (for tests and shutdown)."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def shutdown(self) -> None:
        self._stopping.set()
        for _ in range(self.config.async_threads):
            self._queue.put(None)
        with self._retry_ready:
            self._retry_ready.notify_all()

    # -- delivery ---------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            event = self._queue.get()
            if event is None:
                return
            try:
                done = self._deliver(event)
            except Exception:  # never lose the thread; the event is given up on
                log.exception("async invocation %s failed", event.request_id)
                done = True
            if done:
                self.durability.async_finished(event)
                self._finished()

    def _finished(self) -> None:
        with self._idle:
            self._pending -= 1
            if not self._pending:
                self._idle.notify_all()

    def _deliver(self, event: QueuedEvent) -> bool:
        """One attempt; True when the event is finished (delivered or dead-lettered)."""
        try:
            spec = load_function(event.account, event.region, event.function, event.qualifier)
        except ResourceNotFound:
            return True  # the function was deleted: AWS drops its queued events
        settings = event_invoke_config(event.account, event.region, spec.name)
        max_age = settings.get("MaximumEventAgeInSeconds", DEFAULT_MAXIMUM_EVENT_AGE_S)
        max_retries = settings.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS)
        if time.time() - event.enqueued_at > max_age:
            self._give_up(event, spec, settings, "EventAgeExceeded")
            return True
        try:
            execution = self.executor.execute(spec, event.payload, event.request_id, event.trace_id)
        except TooManyRequests as throttled:
            event.throttles += 1
            event.last_status, event.last_error = 429, throttled.message
            self._retry_later(event, THROTTLE_BACKOFF_S[min(event.throttles - 1, len(THROTTLE_BACKOFF_S) - 1)])
            return False
        event.invoke_count += 1
        if execution.function_error is None:
            return True
        event.function_errors += 1
        event.last_status, event.last_error, event.last_response = 200, execution.error_message or "", execution.payload
        if event.function_errors > max_retries:
            self._give_up(event, spec, settings, "RetriesExhausted")
            return True
        delays = self.config.async_retry_delays_s or (0.0,)
        self._retry_later(event, delays[min(event.function_errors - 1, len(delays) - 1)])
        return False

    def _give_up(self, event: QueuedEvent, spec: FunctionSpec, settings: dict, condition: str) -> None:
        target = self.dead_letters.get(event.account, event.region, spec.name)
        if target:
            try:
                send_to_target(target, event.payload.decode("utf-8", "replace"),
                               dead_letter_attributes(event.request_id, event.last_status, event.last_error))
            except DestinationError:
                log.warning("dead-letter target %s of %s unavailable", target, spec.name)
        on_failure = (settings.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        if on_failure:
            try:
                send_to_target(on_failure, as_json(self._invocation_record(event, spec, condition)))
            except DestinationError:
                log.warning("on-failure destination %s of %s unavailable", on_failure, spec.name)

    @staticmethod
    def _invocation_record(event: QueuedEvent, spec: FunctionSpec, condition: str) -> dict:
        """The record Lambda sends to an async on-failure destination."""
        return {
            "version": "1.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z",
            "requestContext": {
                "requestId": event.request_id,
                "functionArn": spec.qualified_arn,
                "condition": condition,
                "approximateInvokeCount": event.invoke_count,
            },
            "requestPayload": _json_or_text(event.payload),
            "responseContext": {"statusCode": event.last_status, "executedVersion": spec.version, "functionError": "Unhandled"},
            "responsePayload": _json_or_text(event.last_response),
        }

    # -- retry timing -----------------------------------------------------------------------

    def _retry_later(self, event: QueuedEvent, delay_s: float) -> None:
        with self._retry_ready:
            heapq.heappush(self._retries, Retry(time.monotonic() + delay_s, next(self._retry_order), event))
            self._retry_ready.notify()

    def _schedule_retries(self) -> None:
        with self._retry_ready:
            while not self._stopping.is_set():
                now = time.monotonic()
                while self._retries and self._retries[0].due <= now:
                    self._queue.put(heapq.heappop(self._retries).event)
                timeout = self._retries[0].due - now if self._retries else None
                self._retry_ready.wait(timeout)


def _json_or_text(data: bytes) -> object:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data.decode("utf-8", "replace")
