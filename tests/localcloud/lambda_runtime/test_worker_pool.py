"""The worker pool's policy: warm workers first, cold starts one at a time, new workers only after a long wait."""

from __future__ import annotations

import threading
import time

import pytest

from webhookctl.localcloud.lambda_runtime.worker_pool import (
    STUCK_AFTER_S,
    PoolLimits,
    PoolState,
    WorkerPool,
    next_step,
)

LIMITS = PoolLimits(max_cold_starts=1, max_workers=3)


@pytest.mark.parametrize(
    ("state", "waited", "expected"),
    [
        (PoolState(idle=1, live=3, starting=0), 0.0, "take"),
        (PoolState(idle=0, live=0, starting=0), 0.0, "start"),  # nothing to wait for
        (PoolState(idle=0, live=1, starting=0), 0.2, "wait"),  # a warm worker frees up sooner than a cold start
        (PoolState(idle=0, live=1, starting=0), 1.5, "start"),  # waited longer than a cold start takes
        (PoolState(idle=0, live=2, starting=1), 9.0, "wait"),  # one cold start at a time
        (PoolState(idle=0, live=3, starting=0), 2.0, "wait"),  # at the cap
        (PoolState(idle=0, live=3, starting=0), STUCK_AFTER_S, "start"),  # never deadlock at the cap
    ],
)
def test_next_step(state: PoolState, waited: float, expected: str) -> None:
    assert next_step(state, waited, cold_start_s=1.0, limits=LIMITS) == expected


class FakeWorker:
    def __init__(self, key: str):
        self.key = key
        self.alive = True
        self.last_used = time.monotonic()
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
        self.alive = False


def test_a_waiting_invocation_gets_the_released_warm_worker() -> None:
    pool: WorkerPool[FakeWorker] = WorkerPool(PoolLimits(max_cold_starts=1, max_workers=4))
    worker, _ = pool.acquire("fn", "k")
    assert worker is None  # the first invocation starts a worker
    first = FakeWorker("k")
    pool.started(first, seconds=5.0)  # a slow cold start: waiting is better than starting another
    got: list[FakeWorker | None] = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire("fn", "k")[0]))
    waiter.start()
    time.sleep(0.1)
    assert not got  # still waiting for the busy worker
    assert pool.release(first, healthy=True)
    waiter.join(2)
    assert got == [first]


def test_a_second_worker_starts_once_the_wait_exceeds_a_cold_start() -> None:
    pool: WorkerPool[FakeWorker] = WorkerPool(PoolLimits(max_cold_starts=1, max_workers=4))
    assert pool.acquire("fn", "k")[0] is None
    pool.started(FakeWorker("k"), seconds=0.05)
    began = time.monotonic()
    worker, _ = pool.acquire("fn", "k")  # the only worker stays busy
    assert worker is None
    assert time.monotonic() - began >= 0.04


def test_unhealthy_and_stale_workers_leave_the_pool() -> None:
    pool: WorkerPool[FakeWorker] = WorkerPool(PoolLimits())
    pool.acquire("fn", "old")
    old = FakeWorker("old")
    pool.started(old, 0.1)
    assert pool.release(old, healthy=True)
    worker, stale = pool.acquire("fn", "new")  # the configuration changed: the idle old worker is stale
    assert worker is None and stale == [old]
    fresh = FakeWorker("new")
    pool.started(fresh, 0.1)
    assert not pool.release(fresh, healthy=False)
    assert pool.workers() == []

