"""Which worker runs the next invocation: warm ones first, new ones started gradually.

On AWS every concurrent invocation may get its own execution environment. The local cloud
runs on a few shared cores, where each extra interpreter only adds contention and a cold
start costs seconds of CPU. So an invocation waits for a busy warm worker of its function,
and a new worker is started only when the wait has lasted longer than a cold start would
take, with at most `max_cold_starts` of them starting at once per function.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Generic, Protocol, TypeVar

# Until a function's first cold start is measured, assume this much.
DEFAULT_COLD_START_S = 1.0
# Weight of the latest cold start in the running estimate.
COLD_START_SMOOTHING = 0.5
# Past the worker cap, an invocation still gets a new worker after waiting this long, so that
# invocations that wait on each other (a function calling itself synchronously) cannot deadlock.
STUCK_AFTER_S = 5.0


class PooledWorker(Protocol):
    key: str

    @property
    def alive(self) -> bool: ...

    def stop(self) -> None: ...


W = TypeVar("W", bound=PooledWorker)


@dataclass(frozen=True)
class PoolLimits:
    max_cold_starts: int = 1  # per function configuration, in flight at once
    max_workers: int = 4  # per function configuration, before STUCK_AFTER_S applies

    @classmethod
    def for_this_machine(cls) -> "PoolLimits":
        # A warm invocation mostly waits on the server; a cold start costs about a CPU-second.
        # One worker per core (at least two) keeps the pipeline full without paying for more starts.
        return cls(max_cold_starts=1, max_workers=max(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class PoolState:
    idle: int
    live: int  # idle + busy + starting
    starting: int


def next_step(state: PoolState, waited_s: float, cold_start_s: float, limits: PoolLimits) -> str:
    """"take" an idle worker, "start" a new one, or "wait" for one to be released."""
    if state.idle:
        return "take"
    if state.live == 0:
        return "start"
    if state.starting >= limits.max_cold_starts:
        return "wait"
    if state.live >= limits.max_workers:
        return "start" if waited_s >= STUCK_AFTER_S else "wait"
    return "start" if waited_s >= cold_start_s else "wait"


class WorkerPool(Generic[W]):
    """Idle and busy workers per configuration key, and the cold starts under way."""

    def __init__(self, limits: PoolLimits, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self._clock = clock
        # One lock for all state; waiters sleep on their configuration key's condition, so a change
        # to one function's workers wakes only the invocations that could use it.
        self._lock = threading.Lock()
        self._changed: dict[str, threading.Condition] = {}
        self._idle: dict[str, list[W]] = {}
        self._busy: set[W] = set()
        self._live: Counter[str] = Counter()
        self._starting: Counter[str] = Counter()
        self._cold_start_s: dict[str, float] = {}
        self._current: dict[str, str] = {}  # function (qualified arn) -> key of its latest configuration

    def acquire(self, function: str, key: str) -> tuple[W | None, list[W]]:
        """(an idle worker, or None when the caller must start one; stale workers for the caller to stop).

        Blocks while the policy says to wait. A None return counts as a cold start under way:
        the caller reports it with `started` (or `start_failed`).
        """
        began = self._clock()
        with self._lock:
            changed = self._condition(key)
            stale = self._switch_to(function, key)
            while True:
                idle = self._idle.get(key) or []
                while idle and not idle[-1].alive:
                    stale.append(idle.pop())
                    self._live[key] -= 1
                state = PoolState(len(idle), self._live[key], self._starting[key])
                waited = self._clock() - began
                cold_start_s = self._cold_start_s.get(key, DEFAULT_COLD_START_S)
                step = next_step(state, waited, cold_start_s, self.limits)
                if step == "take":
                    worker = idle.pop()
                    self._busy.add(worker)
                    return worker, stale
                if step == "start":
                    self._live[key] += 1
                    self._starting[key] += 1
                    return None, stale
                # Wake on a release or a finished cold start, or when starting one becomes due.
                due = STUCK_AFTER_S if state.live >= self.limits.max_workers else cold_start_s
                changed.wait(max(0.001, due - waited) if state.starting < self.limits.max_cold_starts else None)

    def _switch_to(self, function: str, key: str) -> list[W]:
        """Make `key` the function's current configuration (under the lock); the old one's idle workers are stale."""
        previous = self._current.get(function)
        if previous == key:
            return []
        self._current[function] = key
        if previous is None:
            return []
        stale = self._idle.pop(previous, [])
        self._live[previous] -= len(stale)
        return stale

    def reserve_warm_start(self, function: str, key: str) -> tuple[bool, list[W]]:
        """(whether the caller should start a worker ahead of any invocation; stale workers to stop).

        True only while the configuration has no worker at all: a pre-start never adds a second one.
        The caller reports the start with `prestarted` (or `start_failed`).
        """
        with self._lock:
            stale = self._switch_to(function, key)
            if self._live[key] or self._starting[key] >= self.limits.max_cold_starts:
                return False, stale
            self._live[key] += 1
            self._starting[key] += 1
            return True, stale

    def prestarted(self, worker: W, seconds: float, healthy: bool) -> bool:
        """A pre-started worker finished its init: idle for the next invocation; False when the caller must stop it."""
        with self._lock:
            self._starting[worker.key] -= 1
            if healthy:
                previous = self._cold_start_s.get(worker.key)
                self._cold_start_s[worker.key] = seconds if previous is None else \
                    COLD_START_SMOOTHING * seconds + (1 - COLD_START_SMOOTHING) * previous
            keep = healthy and worker.alive and worker.key in self._current.values()
            if keep:
                self._idle.setdefault(worker.key, []).append(worker)
            else:
                self._live[worker.key] -= 1
            self._wake(worker.key)
        return keep

    def _condition(self, key: str) -> threading.Condition:
        """The condition a waiter for `key` sleeps on (the caller holds the lock)."""
        changed = self._changed.get(key)
        if changed is None:
            changed = self._changed[key] = threading.Condition(self._lock)
        return changed

    def _wake(self, key: str, one: bool = False) -> None:
        """Wake the waiters for `key` (the caller holds the lock); one is enough for one idle worker."""
        changed = self._changed.get(key)
        if changed is None:
            return
        if one:
            changed.notify(1)
        else:
            changed.notify_all()

    def _wake_everyone(self) -> None:
        for changed in self._changed.values():
            changed.notify_all()

    def started(self, worker: W, seconds: float) -> None:
        """A cold start finished (its worker is busy with the invocation that started it)."""
        with self._lock:
            self._starting[worker.key] -= 1
            self._busy.add(worker)
            previous = self._cold_start_s.get(worker.key)
            self._cold_start_s[worker.key] = seconds if previous is None else \
                COLD_START_SMOOTHING * seconds + (1 - COLD_START_SMOOTHING) * previous
            # Any waiter may now be allowed a cold start, or a different wait: all of this key re-decide.
            self._wake(worker.key)

    def start_failed(self, key: str) -> None:
        with self._lock:
            self._starting[key] -= 1
            self._live[key] -= 1
            self._wake(key)

    def release(self, worker: W, healthy: bool) -> bool:
        """Back to the idle list; False when the worker must be stopped by the caller instead."""
        with self._lock:
            self._busy.discard(worker)
            keep = healthy and worker.alive and worker.key in self._current.values()
            if keep:
                self._idle.setdefault(worker.key, []).append(worker)
            else:
                self._live[worker.key] -= 1
            # One idle worker serves exactly one waiter (its first step is "take"); a worker gone
            # instead may let every waiter of the key start one.
            self._wake(worker.key, one=keep)
        return keep

    def remove_function(self, function_name: str) -> list[W]:
        """Forget a deleted function: its idle workers are returned to be stopped; busy ones stop on release."""
        removed: list[W] = []
        with self._lock:
            for function in [f for f in self._current if f.split(":")[6] == function_name]:
                key = self._current.pop(function)
                workers = self._idle.pop(key, [])
                self._live[key] -= len(workers)
                removed += workers
            self._wake_everyone()
        return removed

    def expire_idle(self, idle_since: float) -> list[W]:
        """Idle workers last used before `idle_since`, or dead, removed and returned to be stopped."""
        expired: list[W] = []
        with self._lock:
            for key, workers in self._idle.items():
                gone = [w for w in workers if getattr(w, "last_used", idle_since) < idle_since or not w.alive]
                if gone:
                    workers[:] = [w for w in workers if w not in gone]
                    self._live[key] -= len(gone)
                    expired += gone
            if expired:
                self._wake_everyone()
        return expired

    def workers(self) -> list[W]:
        with self._lock:
            return [w for workers in self._idle.values() for w in workers] + list(self._busy)

    def clear(self) -> list[W]:
        with self._lock:
            workers = [w for ws in self._idle.values() for w in ws] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
            self._current.clear()
            self._live.clear()
            self._starting.clear()
            self._wake_everyone()
        return workers
