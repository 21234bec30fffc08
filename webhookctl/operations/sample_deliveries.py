"""`send-test PROVIDER`: post signed, realistic events to the env's webhook URL and follow them through."""

from __future__ import annotations

import json
import math
from collections import deque
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import UsageError
from webhookctl.operations.completion import Completion, CompletionWatcher
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.providers import check_provider
from webhookctl.operations.signed_fixtures import DeliverySigner, SignedTestDelivery

MAX_CONCURRENCY = 256
MAX_COUNT = 10_000  # each result is kept for the report; more load is a benchmark's job (bench/)
HTTP_TIMEOUT_S = 30


@dataclass(frozen=True)
class SendTestRequest:
    provider: str
    event_type: str | None = None
    count: int = 1
    concurrency: int = 1
    invalid_signature: bool = False
    stale: bool = False
    duplicate: bool = False
    wait: bool = True
    timeout_s: float = 60.0

    @property
    def expect_rejection(self) -> bool:
        return self.invalid_signature or self.stale

    def check(self) -> None:
        if not 1 <= self.count <= MAX_COUNT:
            raise UsageError(f"--count must be between 1 and {MAX_COUNT:,} (got {self.count})", hint="for more load, run send-test several times, or see bench/")
        if self.event_type is not None and not self.event_type.strip():
            raise UsageError("--event must not be empty", hint="leave it out for the provider's most common event type")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
        if not math.isfinite(self.timeout_s) or self.timeout_s <= 0:
            raise UsageError(f"--timeout must be a finite number of seconds, more than 0 (got {self.timeout_s})")
        if self.duplicate and self.expect_rejection:
            raise UsageError("--duplicate cannot be combined with --invalid-signature or --stale")


@dataclass
class SendResult:
    provider: str
    event_id: str
    event_key: str
    event_type: str
    http_status: int
    response_ms: float
    final_status: str = "RECEIVED"  # PROCESSED | DLQ | RECEIVED | REJECTED | TIMEOUT
    audit_logged: bool = False
    duplicate_send: bool = False  # the second post of --duplicate
    duplicate_response: bool = False  # the receiver answered {"duplicate": true}
    accepted_at: str | None = None
    processed_at: str | None = None
    audited_at: str | None = None
    times_processed: int = 0  # PROCESSED audit lines seen; more than one is double processing
    expected: bool = True
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "event_id": self.event_id,
            "event_key": self.event_key,
            "event_type": self.event_type,
            "http_status": self.http_status,
            "response_ms": round(self.response_ms, 1),
            "final_status": self.final_status,
            "audit_logged": self.audit_logged,
            "duplicate_send": self.duplicate_send,
            "duplicate_response": self.duplicate_response,
            "accepted_at": self.accepted_at,
            "processed_at": self.processed_at,
            "audited_at": self.audited_at,
            "times_processed": self.times_processed,
            "expected": self.expected,
            "problem": self.problem,
        }


@dataclass
class SendTestResult:
    url: str
    results: list[SendResult] = field(default_factory=list)
    waited: bool = True
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.expected for r in self.results)

    def latency_ms(self, percentile: float) -> float:
        values = sorted(r.response_ms for r in self.results)
        if not values:
            return 0.0
        return values[min(len(values) - 1, max(0, math.ceil(percentile / 100 * len(values)) - 1))]

    def summary(self) -> dict[str, Any]:
        processed = {r.event_key for r in self.results if r.final_status == "PROCESSED"}
        return {
            "sent": len(self.results),
            "accepted": sum(1 for r in self.results if 200 <= r.http_status < 300),
            "rejected": sum(1 for r in self.results if not 200 <= r.http_status < 300),
            "processed": len(processed),
            "unexpected": sum(1 for r in self.results if not r.expected),
            "p50_ms": round(self.latency_ms(50), 1),
            "p99_ms": round(self.latency_ms(99), 1),
            "seconds": round(self.seconds, 3),
        }

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "results": [r.to_json() for r in self.results], "summary": self.summary()}


class SendProgress:
    """What the CLI shows while sending and waiting; every hook is optional."""

    def __init__(self, sent: Callable[[SendResult], None] | None = None, waiting: Callable[[int, int], None] | None = None):
        self.sent = sent or (lambda result: None)
        self.waiting = waiting or (lambda done, total: None)


def send_test(ctx: AwsContext, settings: Settings, request: SendTestRequest, *, progress: SendProgress | None = None) -> SendTestResult:
    import urllib3

    check_provider(request.provider, settings)
    request.check()
    progress = progress or SendProgress()
    deployment = Deployment(ctx, settings)
    started_ms = int(time.time() * 1000)
    follow = request.wait and not request.expect_rejection
    # The URL, the signing material and what the watcher reads are found by separate reads: make them
    # at once, so discovery costs one round trip rather than five. Errors surface in this order.
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="discover") as discover:
        finding_url = discover.submit(deployment.webhook_url, request.provider)
        finding_signer = discover.submit(
            DeliverySigner, deployment, request.provider, invalid_signature=request.invalid_signature, stale=request.stale
        )
        # The watcher resolves table, DLQ and log group before anything is sent.
        finding_watcher = discover.submit(CompletionWatcher, deployment, since_ms=started_ms) if follow else None
        url, signer = finding_url.result(), finding_signer.result()
        watcher = finding_watcher.result() if finding_watcher is not None else None

    started = time.monotonic()
    pool = urllib3.PoolManager(maxsize=request.concurrency, retries=False, timeout=HTTP_TIMEOUT_S)
    results: list[SendResult] = []
    seconds: list[SendResult] = []

    def deliver(delivery: SignedTestDelivery) -> list[SendResult]:
        first = _post(pool, url, delivery, False)
        # The second copy goes out after the first was answered, as a provider retry would.
        return [first, _post(pool, url, delivery, True)] if request.duplicate else [first]

    with ThreadPoolExecutor(max_workers=request.concurrency, thread_name_prefix="send-test") as executor:
        for answered in _streamed(executor, deliver, lambda: signer.build(request.event_type), request.count, request.concurrency):
            results.append(answered[0])
            seconds.extend(answered[1:])
            for result in answered:
                progress.sent(result)
    results.extend(seconds)
    pool.clear()

    outcome = SendTestResult(url=url, results=results, waited=watcher is not None)
    if watcher is not None:
        accepted = {r.event_key for r in results if 200 <= r.http_status < 300}
        watcher.watch(accepted)
        total = len(accepted)
        watcher.wait(request.timeout_s, on_poll=lambda w: progress.waiting(total - len(w.pending()), total))
        _apply(results, watcher.completions)
    _judge(results, request)
    outcome.seconds = time.monotonic() - started
    return outcome


def _streamed(executor: Any, send: Callable[[Any], Any], build: Callable[[], Any], count: int, window: int) -> Iterator[Any]:
    """`send(build())` `count` times, in order, with at most `window` deliveries built and not yet answered.

    Each delivery is built just before it is sent, so memory holds `window` bodies whatever the count.
    """
    pending: deque[Any] = deque()
    for _ in range(count):
        pending.append(executor.submit(send, build()))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _post(pool: Any, url: str, delivery: SignedTestDelivery, duplicate_send: bool) -> SendResult:
    started = time.perf_counter()
    try:
        response = pool.request("POST", url, body=delivery.body, headers=delivery.headers)
        status, data = response.status, response.data
    except Exception as exc:  # noqa: BLE001 - a failed post is a result, not a crash
        status, data = 0, f"{type(exc).__name__}: {exc}".encode()
    elapsed_ms = (time.perf_counter() - started) * 1000
    result = SendResult(
        provider=delivery.provider,
        event_id=delivery.event_id,
        event_key=delivery.event_key,
        event_type=delivery.event_type,
        http_status=status,
        response_ms=elapsed_ms,
        duplicate_send=duplicate_send,
    )
    if 200 <= status < 300:
        result.accepted_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        document = answer_document(data)
        result.duplicate_response = bool(document.get("duplicate"))
        answered_key = document.get("event_key")
        if answered_key and answered_key != delivery.event_key:
            result.problem = f"the receiver keyed the event as {answered_key}"
            result.event_key = answered_key
    else:
        result.final_status = "REJECTED"
        result.problem = f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}" if status else data.decode()
    return result


def answer_document(data: bytes) -> dict[str, Any]:
    """The receiver's JSON answer as a dict ({} when it is not a JSON object)."""
    try:
        document = json.loads(data or b"{}")
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _apply(results: list[SendResult], completions: dict[str, Completion]) -> None:
    for result in results:
        completion = completions.get(result.event_key)
        if completion is None:
            continue
        # The stored received_at is the receiver's clock, like processed_at: one timeline.
        result.accepted_at = completion.received_at or result.accepted_at
        result.processed_at = completion.processed_at
        result.audited_at = completion.audited_at
        result.audit_logged = completion.audited_at is not None
        if completion.status == "PROCESSED" and result.audit_logged:
            result.final_status = "PROCESSED"
        elif completion.in_dlq:
            result.final_status = "DLQ"
        else:
            result.final_status = "TIMEOUT"
        result.times_processed = completion.processed_lines


def _judge(results: list[SendResult], request: SendTestRequest) -> None:
    """Mark every result that differs from what this kind of send should produce."""
    for result in results:
        if request.expect_rejection:
            ok = result.http_status == 401
            reason = None if ok else f"expected HTTP 401, got {result.http_status}"
        elif not 200 <= result.http_status < 300:
            ok, reason = False, result.problem or f"HTTP {result.http_status}"
        elif result.duplicate_send and not result.duplicate_response:
            ok, reason = False, "the second copy was not recognised as a duplicate"
        elif result.times_processed > 1:
            ok, reason = False, f"processed {result.times_processed} times"
        elif request.wait:
            ok = result.final_status == "PROCESSED"
            reason = None if ok else {"DLQ": "ended in the processor DLQ", "TIMEOUT": "not processed and audited in time"}.get(result.final_status, result.final_status)
        else:
            ok, reason = True, None
        result.expected = ok
        if reason:
            result.problem = reason
