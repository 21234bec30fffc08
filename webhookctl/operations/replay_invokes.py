"""How a replay invokes a function: a synchronous Invoke, whose errors are a failed replay, under a rate limit."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from webhookctl.aws import AwsContext


@dataclass(frozen=True)
class InvokeOutcome:
    ok: bool
    error: str | None = None


class Invoker(Protocol):
    def __call__(self, function_name: str, payload: bytes) -> InvokeOutcome: ...


class LambdaInvoker:
    """A synchronous Invoke; a function error or a reported batch item failure is a failed replay."""

    def __init__(self, ctx: AwsContext):
        self._client = ctx.client("lambda")

    def __call__(self, function_name: str, payload: bytes) -> InvokeOutcome:
        import botocore.exceptions

        try:
            response = self._client.invoke(FunctionName=function_name, InvocationType="RequestResponse", Payload=payload)
        except botocore.exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            return InvokeOutcome(False, f"{error.get('Code')}: {error.get('Message', '')}".strip())
        body = response["Payload"].read() if "Payload" in response else b""
        if response.get("FunctionError"):
            return InvokeOutcome(False, _function_error(response["FunctionError"], body))
        try:
            document = json.loads(body or b"null")
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("batchItemFailures"):
            return InvokeOutcome(False, f"{len(document['batchItemFailures'])} record(s) reported as failed")
        return InvokeOutcome(True)


def _function_error(kind: str, body: bytes) -> str:
    try:
        document = json.loads(body)
        message = document.get("errorMessage") if isinstance(document, dict) else None
    except ValueError:
        message = None
    return f"{kind}: {message}" if message else kind


class RateLimiter:
    """A token bucket shared by the workers; rate <= 0 means unlimited."""

    def __init__(self, rate: float, *, burst: float | None = None, clock: Callable[[], float] = time.monotonic):
        self._rate = rate
        # Half a second's worth, API Gateway's own ratio of burst to rate: a small queue goes at once.
        self._capacity = burst if burst is not None else max(1.0, rate / 2)
        self._tokens = self._capacity
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self._rate <= 0:
            return
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self._rate
            time.sleep(wait)
