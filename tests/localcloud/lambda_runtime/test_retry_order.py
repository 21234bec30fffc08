"""Async retries due at the same moment leave the heap in submission order."""

from __future__ import annotations

import heapq


def test_retries_due_at_once_order_without_comparing_events() -> None:
    from webhookctl.localcloud.lambda_runtime.async_invocations import QueuedEvent, Retry

    heap: list[Retry] = []
    for order in range(3):
        event = QueuedEvent("1", "us-east-1", "fn", None, b"{}", f"r{order}", "t")
        heapq.heappush(heap, Retry(due=1.0, order=order, event=event))
    assert [heapq.heappop(heap).event.request_id for _ in range(3)] == ["r0", "r1", "r2"]
