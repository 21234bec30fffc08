"""Unit: execution slots per reservation and in the unreserved pool."""

from __future__ import annotations

import pytest

from webhookctl.localcloud.lambda_runtime.concurrency import ConcurrencyLimits, unreserved_after
from webhookctl.localcloud.lambda_runtime.results import TooManyRequests


def test_reserved_function_is_capped_by_its_reservation():
    limits = ConcurrencyLimits(1000)
    limits.acquire("fn-a", 2, total_reserved=2)
    limits.acquire("fn-a", 2, total_reserved=2)
    with pytest.raises(TooManyRequests) as error:
        limits.acquire("fn-a", 2, total_reserved=2)
    assert error.value.message == "Rate Exceeded."
    limits.release("fn-a", 2)
    limits.acquire("fn-a", 2, total_reserved=2)


def test_unreserved_functions_share_what_reservations_leave():
    limits = ConcurrencyLimits(5)
    for _ in range(2):
        limits.acquire("fn-b", None, total_reserved=3)
    with pytest.raises(TooManyRequests):
        limits.acquire("fn-c", None, total_reserved=3)
    # A reserved function does not draw from the shared pool.
    limits.acquire("fn-a", 3, total_reserved=3)
    assert limits.in_flight("fn-b") == 2


def test_unreserved_after_replaces_the_function_own_reservation():
    reservations = {"a": 300, "b": 200}
    assert unreserved_after(1000, reservations, "a", 400) == 400
    assert unreserved_after(1000, reservations, "c", 401) == 99
