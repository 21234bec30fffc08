"""`dlq replay`: re-drive dead letters into the function that failed them.

- processor DLQ: invoke the processor (RequestResponse) with the original payload;
- audit DLQ: re-read the stream records the message names (or rebuild them from the
  table) and invoke the audit function with them.

Messages are received in batches of 10, several receives in flight ahead of the invokers
(replay_pipeline.py), and held under a lease renewed while the run holds them. A message is
deleted (DeleteMessageBatch, in batches of 10 off the invoking threads) only after its replay
succeeded; one that does not match the filters is made visible again at once, and one that
fails again at the end, so it stays with its receive count. SIGINT and SIGTERM stop the run:
replays under way finish and are deleted, and everything else it holds is made visible again
(held_messages.py) before it returns its partial result. A run killed outright leaves its
messages to come back when their lease runs out. A bounded pool replays concurrently under a
rate limit. Replaying twice processes once: replayed messages are gone, and the processor's
change is conditional.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import UsageError
from webhookctl.operations.dead_letters import DeadLetter, parse_dead_letter, receive_batch, release
from webhookctl.operations.deployment import Deployment, check_queue
from webhookctl.operations.held_messages import HeldMessages, StopOnSignals
from webhookctl.operations.providers import check_provider
from webhookctl.operations.replay_invokes import InvokeOutcome, Invoker, LambdaInvoker, RateLimiter
from webhookctl.operations.replay_pipeline import BATCH, DeleteBatcher, Window, receivers_for
from webhookctl.operations.stream_records import BatchRecords, load_batch_records

DEFAULT_CONCURRENCY = 32  # invokes in flight: at tens of milliseconds a round trip, what a replay mostly waits on
DEFAULT_RATE = 200.0  # replays per second; protects the functions and the table downstream
# The lease on a held message, renewed every third of it while held (held_messages.py): a run killed
# outright leaves what it held invisible this long at most.
HOLD_S = 10


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
    invokes: int | None = None  # the function's own attempts before it dead-lettered (peeks never raise it)

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "provider": self.provider,
            "event_type": self.event_type,
            "event_keys": self.event_keys,
            "receive_count": self.receive_count,
            "invokes": self.invokes,
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
    in_flight_at_start: int = 0  # held by another reader (an earlier, interrupted run?): not replayed now
    expected: int = 0  # visible at the start (at most --max): what a progress bar counts to; not in the JSON
    released: int = 0  # made visible again at the end (failed, not matching, not reached)
    interrupted: str | None = None  # SIGINT / SIGTERM: the run stopped early; this is its partial result
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
            "in_flight_at_start": self.in_flight_at_start,
            "released": self.released,
            "interrupted": self.interrupted,
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
    receivers = receivers_for(concurrency)
    ctx.widen_pools(concurrency + receivers + 2)  # every invoke, receive, delete and renewal on a warm connection
    url, function_name, table_name = _discover(Deployment(ctx, settings), queue, dry_run)
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
        receivers=receivers,
        limiter=RateLimiter(rate),
        invoker=invoker or LambdaInvoker(ctx),
        progress=progress or (lambda result: None),
    )
    # An async-invoke DLQ message carries no attempt count; it got there after the first try and every retry.
    run.async_invokes = 1 + settings.async_maximum_retry_attempts if queue == "processor" else None
    return run.execute()


def _discover(deployment: Deployment, queue: str, dry_run: bool) -> tuple[str, str | None, str | None]:
    """The queue's URL, the function's name and (audit) the table's, looked up side by side."""
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="replay-discover") as lookups:
        url = lookups.submit(deployment.queue_url, queue)
        function_name = None if dry_run else lookups.submit(deployment.function_name, queue)
        table_name = lookups.submit(lambda: deployment.table_name) if queue == "audit" else None
        return url.result(), function_name and function_name.result(), table_name and table_name.result()


class _ReplayRun:
    """One replay: receives in flight ahead of a bounded invoke pool, batched deletes, and the handles to release."""

    def __init__(self, *, ctx, url, queue, function_name, table_name, wanted, dry_run, max_messages, concurrency, receivers, limiter, invoker, progress):
        self.ctx = ctx
        self.url = url
        self.function_name = function_name
        self.table_name = table_name
        self.wanted: ReplayFilter = wanted
        self.dry_run = dry_run
        self.max_messages = max_messages
        self.concurrency = concurrency
        self.receivers = receivers
        self.limiter: RateLimiter = limiter
        self.invoker: Invoker = invoker
        self.progress: Progress = progress
        self.result = ReplayResult(queue=queue, dry_run=dry_run)
        self._lock = threading.Lock()
        self.held = HeldMessages(ctx, url, lease_s=HOLD_S)  # every message received and not yet deleted
        self.stop = StopOnSignals()
        self.async_invokes: int | None = None
        self.deletes = DeleteBatcher(ctx, url, self.held, self._count_delete_failures)
        self._seen: set[str] = set()
        self._undecided: set[str] = set()  # handed to the invokers, not yet a candidate or skipped
        self._drained = threading.Event()  # a receive found nothing new: no further receives
        self._futures: list[Future] = []
        self.window = Window(max(concurrency * 4, BATCH * receivers))  # receive no further ahead than this

    def execute(self) -> ReplayResult:
        started = time.monotonic()
        visible, self.result.in_flight_at_start = _queue_counts(self.ctx, self.url)
        self.result.expected = min(visible, self.max_messages) if self.max_messages else visible
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="replay")
        with self.stop, self.held.renewing():
            try:
                self._receive_all(pool)
                pending = set(self._futures)
                while pending and not self.stop.stopping.is_set():
                    _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            finally:
                # Replays under way finish; those not started are cancelled (their messages stay held, so released).
                pool.shutdown(wait=True, cancel_futures=True)
                self.deletes.close()
                # Failed, dry-run, unreached and undeleted messages become visible again, untouched.
                self.held.release_all()
                self.result.released = self.held.released
                self.result.interrupted = self.stop.signal_name
                self.result.seconds = time.monotonic() - started
        return self.result

    def _receive_all(self, pool: ThreadPoolExecutor) -> None:
        """`receivers` receive loops side by side, until the queue has nothing new; the first error is raised."""
        with ThreadPoolExecutor(max_workers=self.receivers, thread_name_prefix="replay-receive") as loops:
            running = [loops.submit(self._receive_loop, pool) for _ in range(self.receivers)]
            try:
                for loop in running:
                    loop.result()
            finally:
                self._drained.set()

    def _no_more(self) -> bool:
        if self.stop.stopping.is_set() or self._drained.is_set():
            return True
        with self._lock:
            return self.max_messages is not None and self.result.candidates >= self.max_messages

    def _wanted_left(self) -> int:
        """How many more --max wants beyond the candidates and the messages not yet decided (under the lock)."""
        return self.max_messages - self.result.candidates - len(self._undecided) if self.max_messages is not None else BATCH

    def _receive_loop(self, pool: ThreadPoolExecutor) -> None:
        try:
            while not self._no_more():
                with self._lock:
                    covered = self._wanted_left() <= 0
                if covered:  # --max is covered by messages under way: more only if the filters skip some
                    time.sleep(0.05)
                    continue
                if not self.window.reserve(BATCH, self._no_more):
                    return
                messages = receive_batch(self.ctx, self.url, hold_s=HOLD_S, wait_s=1 if self.ctx.target == "aws" else 0)
                fresh = self._take([parse_dead_letter(self.result.queue, message) for message in messages])
                self.window.give_back(BATCH - len(fresh))
                if not fresh:
                    self._drained.set()  # nothing new: the queue holds only what this run has seen (and released)
                for letter in fresh:  # a stop from here on leaves them held, so they are released untouched
                    self._futures.append(pool.submit(self._handle, letter))
        except BaseException:
            self._drained.set()
            raise

    def _take(self, letters: list[DeadLetter]) -> list[DeadLetter]:
        """Hold a received batch, all of it at once, and pick the letters this run has not seen before."""
        fresh, again, over = [], [], []
        with self._lock:
            for letter in letters:  # all of the batch at once: an interruption mid-batch releases the rest
                if letter.message_id not in self._seen or self.held.holds(letter.message_id):
                    self.held.hold(letter.message_id, letter.receipt_handle)
            for letter in letters:
                if letter.message_id in self._seen:
                    # Received again: released earlier (not ours to replay), or its hold ran out.
                    if not self.held.holds(letter.message_id):
                        again.append(letter.receipt_handle)
                    continue
                self._seen.add(letter.message_id)
                if self.max_messages is not None and self.result.candidates >= self.max_messages:
                    over.append(letter.message_id)
                    continue
                self._undecided.add(letter.message_id)
                fresh.append(letter)
        if again:
            release(self.ctx, self.url, again)
        for message_id in over:
            self.held.release(message_id)
        return fresh

    def _handle(self, letter: DeadLetter) -> None:
        try:
            if self.stop.stopping.is_set():
                return  # interrupted before its turn: it stays held, so it is released untouched
            records = None
            if letter.batch is not None and self.table_name is not None:
                records = load_batch_records(self.ctx, letter.batch, self.table_name)
            provider, event_type, keys = _describe(letter, records)
            if not self._matches(letter, records):
                with self._lock:
                    self.result.skipped += 1
                    self._undecided.discard(letter.message_id)
                self.held.release(letter.message_id)  # never held for a replay it will not get
                return
            entry = ReplayedMessage(letter.message_id, letter.receive_count, provider, event_type, keys, "candidate", rebuilt=bool(records and records.rebuilt),
                                    invokes=letter.invoke_count if letter.invoke_count is not None else self.async_invokes)
            with self._lock:
                if self.max_messages is not None and self.result.candidates >= self.max_messages:
                    self.held.release(letter.message_id)
                    return
                self.result.candidates += 1
                self._undecided.discard(letter.message_id)
                self.result.messages.append(entry)
                if entry.rebuilt:
                    self.result.rebuilt += 1
            if self.dry_run:
                self.progress(self.result)
                return
            self._replay(letter, records, entry)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the run; it stays in the queue
            with self._lock:
                self.result.failed += 1
                self.result.messages.append(
                    ReplayedMessage(letter.message_id, letter.receive_count, letter.provider, letter.event_type, [], "failed", f"{type(exc).__name__}: {exc}")
                )
        finally:
            with self._lock:
                self._undecided.discard(letter.message_id)
            self.window.give_back()

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
            else:
                self.result.failed += 1
                entry.outcome, entry.error = "failed", outcome.error
        if outcome.ok:
            self.deletes.add(letter.message_id)
        self.progress(self.result)

    def _count_delete_failures(self, count: int) -> None:
        with self._lock:
            self.result.delete_failed += count


def _queue_counts(ctx: AwsContext, url: str) -> tuple[int, int]:
    """(visible, in flight) before the run receives anything."""
    attributes = ctx.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)), int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0))


def _describe(letter: DeadLetter, records: BatchRecords | None) -> tuple[str | None, str | None, list[str]]:
    if records is None:
        return letter.provider, letter.event_type, [letter.event_key] if letter.event_key else []
    images = records.images()
    providers = sorted({i.get("provider", {}).get("S") for i in images if i.get("provider")})
    types = sorted({i.get("event_type", {}).get("S") for i in images if i.get("event_type")})
    return ",".join(providers) or None, ",".join(types) or None, records.event_keys()
