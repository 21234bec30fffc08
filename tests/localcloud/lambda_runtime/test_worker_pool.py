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



def _busy_pool(limits: PoolLimits, *keys: str, clock=time.monotonic) -> tuple[WorkerPool[FakeWorker], dict[str, FakeWorker]]:
    """A pool with one started, busy worker per key (function `fn-<key>`)."""
    pool: WorkerPool[FakeWorker] = WorkerPool(limits, clock=clock)
    busy = {}
    for key in keys:
        assert pool.acquire(f"fn-{key}", key)[0] is None
        busy[key] = FakeWorker(key)
        pool.started(busy[key], seconds=60.0)  # a slow cold start: waiters keep waiting for warm workers
    return pool, busy


def test_every_waiter_gets_a_released_worker_in_turn() -> None:
    pool, busy = _busy_pool(PoolLimits(max_cold_starts=1, max_workers=1), "k")
    served: list[FakeWorker | None] = []

    def invoke() -> None:
        worker, _ = pool.acquire("fn-k", "k")
        served.append(worker)
        time.sleep(0.01)
        pool.release(worker, healthy=True)

    waiters = [threading.Thread(target=invoke) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.1)
    began = time.monotonic()
    pool.release(busy["k"], healthy=True)
    for waiter in waiters:
        waiter.join(STUCK_AFTER_S)
    assert served == [busy["k"]] * 3
    assert time.monotonic() - began < STUCK_AFTER_S / 2  # handed on by releases, not by the stuck timeout


def test_a_release_wakes_only_the_invocations_of_its_configuration() -> None:
    looks: dict[str, int] = {}

    def clock() -> float:  # every wake-up of a waiter reads the clock once
        name = threading.current_thread().name
        looks[name] = looks.get(name, 0) + 1
        return time.monotonic()

    pool, busy = _busy_pool(PoolLimits(max_cold_starts=1, max_workers=1), "a", "b", clock=clock)
    got: list[FakeWorker | None] = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire("fn-a", "a")[0]), name="waiter-a")
    waiter.start()
    time.sleep(0.1)
    looks_before = looks["waiter-a"]
    pool.release(busy["b"], healthy=True)
    for _ in range(20):  # another function's warm invocations
        worker, _ = pool.acquire("fn-b", "b")
        assert worker is busy["b"]
        pool.release(worker, healthy=True)
    time.sleep(0.05)
    assert looks["waiter-a"] == looks_before and not got
    pool.release(busy["a"], healthy=True)
    waiter.join(2)
    assert got == [busy["a"]]


def test_a_finished_cold_start_lets_the_next_one_begin() -> None:
    pool: WorkerPool[FakeWorker] = WorkerPool(PoolLimits(max_cold_starts=1, max_workers=4))
    assert pool.acquire("fn", "k")[0] is None  # the first cold start is under way
    results: list[FakeWorker | None] = []
    waiters = [threading.Thread(target=lambda: results.append(pool.acquire("fn", "k")[0])) for _ in range(2)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.05)
    assert not results  # one cold start at a time: both wait, with no timeout
    first = FakeWorker("k")
    pool.started(first, seconds=0.01)  # quick: a waiter may now start the next worker
    time.sleep(0.1)
    assert results == [None]  # exactly one more cold start; the other waits for it or for `first`
    assert pool.release(first, healthy=True)
    for waiter in waiters:
        waiter.join(2)
    assert sorted(results, key=lambda w: w is not None) == [None, first]


def test_a_warm_start_is_reserved_once_and_serves_the_first_invocation() -> None:
    pool: WorkerPool[FakeWorker] = WorkerPool(PoolLimits(max_cold_starts=1, max_workers=4))
    assert pool.reserve_warm_start("fn", "k") == (True, [])
    assert pool.reserve_warm_start("fn", "k") == (False, [])  # one pre-start per configuration, never a second
    got: list[FakeWorker | None] = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire("fn", "k")[0]))
    waiter.start()
    time.sleep(0.1)
    assert not got  # the invocation waits for the warm start rather than starting its own
    warm = FakeWorker("k")
    assert pool.prestarted(warm, seconds=0.5, healthy=True)
    waiter.join(2)
    assert got == [warm]


def test_a_new_configuration_retires_the_previous_warm_worker_and_a_failed_warm_start_leaves_none() -> None:
    pool: WorkerPool[FakeWorker] = WorkerPool(PoolLimits(max_cold_starts=1, max_workers=4))
    assert pool.reserve_warm_start("fn", "old")[0]
    old = FakeWorker("old")
    assert pool.prestarted(old, seconds=0.5, healthy=True)
    go, stale = pool.reserve_warm_start("fn", "new")
    assert go and stale == [old]
    assert not pool.prestarted(FakeWorker("new"), seconds=0.5, healthy=False)  # init failed: the caller stops it
    worker, _ = pool.acquire("fn", "new")
    assert worker is None  # so the first invocation starts its own and reports the init error
