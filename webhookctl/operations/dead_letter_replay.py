"""`dlq replay`: re-drive dead letters into the function that failed them.

- processor DLQ: invoke the processor (RequestResponse) with the original payload;
- audit DLQ: re-read the stream records the message names (or rebuild them from the
  table) and invoke the audit function with them.

Messages are received in batches of 10 and held invisible for the run. A message is
deleted (DeleteMessageBatch) only after its replay succeeded; one that fails again,
or does not match the filters, is made visible again at the end, so it stays with
its receive count. A bounded pool replays concurrently under a rate limit. Replaying
twice processes once: replayed messages are gone, and the processor's change is
conditional.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import UsageError
from webhookctl.operations.dead_letters import DeadLetter, parse_dead_letter, receive_batch, release
from webhookctl.operations.deployment import Deployment, check_queue
from webhookctl.operations.providers import check_provider
from webhookctl.operations.stream_records import BatchRecords, load_batch_records

DEFAULT_CONCURRENCY = 16
DEFAULT_RATE = 200.0  # replays per second; protects the functions and the table downstream
HOLD_S = 900  # visibility while the run holds a message; longer than any run should take per message
RECEIVERS_MAX = 4  # receives in flight at once; each is a round trip, and a batch holds at most 10
DELETE_LINGER_S = 0.05  # a part-filled delete batch waits this long for more before it is sent


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
        self._capacity = burst if burst is not None else max(1.0, rate / 10)
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


@dataclass
class ReplayedMessage:
    message_id: str
    receive_count: int
    provider: str | None
    event_type: str | None
    event_keys: list[str]
    outcome: str  # candidate (dry run) | succeeded | failed
    error: str | None = None
    rebuilt: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "provider": self.provider,
            "event_type": self.event_type,
            "event_keys": self.event_keys,
            "receive_count": self.receive_count,
            "outcome": self.outcome,
            "error": self.error,
            "rebuilt": self.rebuilt,
        }


@dataclass
class ReplayResult:
    queue: str
    dry_run: bool
    candidates: int = 0
    replayed: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0  # received but not matching the filters
    rebuilt: int = 0  # audit batches rebuilt from the table (past the stream's retention)
    delete_failed: int = 0
    seconds: float = 0.0
    messages: list[ReplayedMessage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "dry_run": self.dry_run,
            "candidates": self.candidates,
            "replayed": self.replayed,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped": self.skipped,
            "rebuilt": self.rebuilt,
            "delete_failed": self.delete_failed,
            "seconds": round(self.seconds, 3),
            "messages": [m.to_json() for m in self.messages],
        }


Progress = Callable[[ReplayResult], None]


@dataclass(frozen=True)
class ReplayFilter:
    provider: str | None = None
    event_type: str | None = None

    def matches(self, provider: str | None, event_type: str | None) -> bool:
        return (self.provider is None or provider == self.provider) and (self.event_type is None or event_type == self.event_type)


def check_replay_options(queue: str, provider: str | None, max_messages: int | None, concurrency: int, rate: float) -> None:
    """Usage errors in a replay's options, before any AWS call."""
    check_queue(queue)
    if provider is not None:
        check_provider(provider, option="--provider")
    if max_messages is not None and max_messages < 1:
        raise UsageError("--max must be at least 1")
    if concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if rate < 0:
        raise UsageError(f"--rate must be 0 (no limit) or more (got {rate:g})")


def replay_dead_letters(
    ctx: AwsContext,
    settings: Settings,
    *,
    queue: str = "processor",
    max_messages: int | None = None,
    provider: str | None = None,
    event_type: str | None = None,
    dry_run: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float = DEFAULT_RATE,
    invoker: Invoker | None = None,
    progress: Progress | None = None,
) -> ReplayResult:
    check_replay_options(queue, provider, max_messages, concurrency, rate)
    deployment = Deployment(ctx, settings)
    url = deployment.queue_url(queue)
    function_name = None if dry_run else deployment.function_name(queue)
    table_name = deployment.table_name if queue == "audit" else None
    run = _ReplayRun(
        ctx=ctx,
        url=url,
        queue=queue,
        function_name=function_name,
        table_name=table_name,
        wanted=ReplayFilter(provider, event_type),
        dry_run=dry_run,
        max_messages=max_messages,
        concurrency=concurrency,
        limiter=RateLimiter(rate),
        invoker=invoker or LambdaInvoker(ctx),
        progress=progress or (lambda result: None),
    )
    return run.execute()


class _ReplayRun:
    """One replay: receivers side by side feeding a bounded worker pool, a delete thread, and the handles to release."""

    def __init__(self, *, ctx, url, queue, function_name, table_name, wanted, dry_run, max_messages, concurrency, limiter, invoker, progress):
        self.ctx = ctx
        self.url = url
        self.function_name = function_name
        self.table_name = table_name
        self.wanted: ReplayFilter = wanted
        self.dry_run = dry_run
        self.max_messages = max_messages
        self.concurrency = concurrency
        self.limiter: RateLimiter = limiter
        self.invoker: Invoker = invoker
        self.progress: Progress = progress
        self.result = ReplayResult(queue=queue, dry_run=dry_run)
        self._lock = threading.Lock()
        self._to_release: dict[str, str] = {}  # message id -> latest receipt handle
        self._to_delete: list[tuple[str, str]] = []  # (message id, receipt handle)
        self._seen: set[str] = set()
        self._slots = threading.BoundedSemaphore(concurrency * 4)  # receive no further ahead than this
        # One DeleteMessageBatch in flight at a time: the local cloud's SQS (moto's) rebuilds the queue's
        # message list on each delete, so two concurrent deletes can undo each other. A thread of its own
        # sends them, so an invoking worker never waits for a delete's round trip.
        self._deleting = threading.Lock()
        self._delete_ready = threading.Condition(self._lock)
        self._finishing = False

    def execute(self) -> ReplayResult:
        started = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="replay")
        futures: list[Future] = []
        deleter = threading.Thread(target=self._delete_loop, name="replay-delete", daemon=True)
        deleter.start()
        try:
            self._receive_all(pool, futures)
            for future in futures:
                future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            with self._delete_ready:
                self._finishing = True
                self._delete_ready.notify_all()
            deleter.join()
            self._flush_deletes(force=True)
            # Non-matching, failed and dry-run messages become visible again, untouched.
            release(self.ctx, self.url, list(self._to_release.values()))
            self.result.seconds = time.monotonic() - started
        return self.result

    def _receive_all(self, pool: ThreadPoolExecutor, futures: list[Future]) -> None:
        """Receivers side by side (each receive is a round trip), feeding the pool until the queue shows none."""
        receivers = 1 if self.max_messages is not None and self.max_messages <= 10 else max(1, min(RECEIVERS_MAX, self.concurrency // 8))
        drained = threading.Event()
        failures: list[BaseException] = []

        def receive() -> None:
            try:
                while not drained.is_set() and (self.max_messages is None or self.result.candidates < self.max_messages):
                    messages = receive_batch(self.ctx, self.url, hold_s=HOLD_S, wait_s=1 if self.ctx.target == "aws" else 0)
                    if not messages:
                        drained.set()
                        return
                    for message in messages:
                        self._dispatch(parse_dead_letter(self.result.queue, message), pool, futures)
            except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
                failures.append(exc)
                drained.set()

        threads = [threading.Thread(target=receive, name=f"replay-receive-{i}", daemon=True) for i in range(receivers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def _dispatch(self, letter: DeadLetter, pool: ThreadPoolExecutor, futures: list[Future]) -> None:
        with self._lock:
            if letter.message_id in self._seen:
                # Received again (its hold ran out, or by two receivers at once): keep only the newest handle to release.
                if letter.message_id in self._to_release:
                    self._to_release[letter.message_id] = letter.receipt_handle
                return
            self._seen.add(letter.message_id)
            enough = self.max_messages is not None and self.result.candidates >= self.max_messages
        if enough:
            self._keep(letter)
            return
        self._slots.acquire()
        with self._lock:
            futures.append(pool.submit(self._handle, letter))

    def _handle(self, letter: DeadLetter) -> None:
        try:
            records = None
            if letter.batch is not None and self.table_name is not None:
                records = load_batch_records(self.ctx, letter.batch, self.table_name)
            provider, event_type, keys = _describe(letter, records)
            if not self._matches(letter, records):
                with self._lock:
                    self.result.skipped += 1
                self._keep(letter)
                return
            entry = ReplayedMessage(letter.message_id, letter.receive_count, provider, event_type, keys, "candidate", rebuilt=bool(records and records.rebuilt))
            with self._lock:
                if self.max_messages is not None and self.result.candidates >= self.max_messages:
                    self._to_release[letter.message_id] = letter.receipt_handle
                    return
                self.result.candidates += 1
                self.result.messages.append(entry)
                if entry.rebuilt:
                    self.result.rebuilt += 1
            if self.dry_run:
                self._keep(letter)
                self.progress(self.result)
                return
            self._replay(letter, records, entry)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the run; it stays in the queue
            self._keep(letter)
            with self._lock:
                self.result.failed += 1
                self.result.messages.append(
                    ReplayedMessage(letter.message_id, letter.receive_count, letter.provider, letter.event_type, [], "failed", f"{type(exc).__name__}: {exc}")
                )
        finally:
            self._slots.release()

    def _matches(self, letter: DeadLetter, records: BatchRecords | None) -> bool:
        if records is None:
            return self.wanted.matches(letter.provider, letter.event_type)
        return any(self.wanted.matches(image.get("provider", {}).get("S"), image.get("event_type", {}).get("S")) for image in records.images())

    def _replay(self, letter: DeadLetter, records: BatchRecords | None, entry: ReplayedMessage) -> None:
        if records is not None:
            if not records.records:
                outcome = InvokeOutcome(False, "the batch's records are past the stream's retention and no table item matches")
            else:
                self.limiter.acquire()
                outcome = self.invoker(self.function_name, json.dumps(records.event(), default=str).encode())
        elif letter.payload is not None:
            self.limiter.acquire()
            outcome = self.invoker(self.function_name, json.dumps(letter.payload).encode())
        else:
            outcome = InvokeOutcome(False, "the message is neither a processor payload nor a stream batch")
        with self._lock:
            self.result.replayed += 1
            if outcome.ok:
                self.result.succeeded += 1
                entry.outcome = "succeeded"
                self._to_delete.append((letter.message_id, letter.receipt_handle))
                if len(self._to_delete) >= 10:
                    self._delete_ready.notify()
            else:
                self.result.failed += 1
                entry.outcome, entry.error = "failed", outcome.error
                self._to_release[letter.message_id] = letter.receipt_handle
        self.progress(self.result)

    def _keep(self, letter: DeadLetter) -> None:
        with self._lock:
            self._to_release[letter.message_id] = letter.receipt_handle

    def _delete_loop(self) -> None:
        """Delete replayed messages in batches of 10, or whatever is there once it has waited a moment."""
        while True:
            with self._delete_ready:
                if not self._finishing and len(self._to_delete) < 10:
                    self._delete_ready.wait(DELETE_LINGER_S)
                finishing, waiting = self._finishing, bool(self._to_delete)
            if finishing:
                return  # the final forced flush takes the rest
            if waiting:
                try:
                    self._flush_deletes(force=True)
                except Exception:  # noqa: BLE001 - left in the buffer; the final flush tries again and reports
                    pass

    def _flush_deletes(self, *, force: bool = False) -> None:
        # Not forced: a thread already deleting, or the final forced flush, takes what was just added.
        if not self._deleting.acquire(blocking=force):
            return
        try:
            self._delete_buffered(force)
        finally:
            self._deleting.release()

    def _delete_buffered(self, force: bool) -> None:
        while True:
            with self._lock:
                if not self._to_delete or (len(self._to_delete) < 10 and not force):
                    return
                chunk, self._to_delete = self._to_delete[:10], self._to_delete[10:]
            response = self.ctx.client("sqs").delete_message_batch(
                QueueUrl=self.url, Entries=[{"Id": str(i), "ReceiptHandle": handle} for i, (_, handle) in enumerate(chunk)]
            )
            failed = response.get("Failed", [])
            if failed:
                with self._lock:
                    # Replayed but not deleted: it will come back, and replaying it again is harmless.
                    self.result.delete_failed += len(failed)


def _describe(letter: DeadLetter, records: BatchRecords | None) -> tuple[str | None, str | None, list[str]]:
    if records is None:
        return letter.provider, letter.event_type, [letter.event_key] if letter.event_key else []
    images = records.images()
    providers = sorted({i.get("provider", {}).get("S") for i in images if i.get("provider")})
    types = sorted({i.get("event_type", {}).get("S") for i in images if i.get("event_type")})
    return ",".join(providers) or None, ",".join(types) or None, records.event_keys()
