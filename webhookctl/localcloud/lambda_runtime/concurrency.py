"""Concurrent executions: a function's reservation caps it; the rest share the account's unreserved pool."""

from __future__ import annotations

import threading
from collections import Counter

from webhookctl.localcloud.lambda_runtime.results import TooManyRequests

# AWS keeps this much of the account's concurrency unreserved.
MINIMUM_UNRESERVED = 100


class ConcurrencyLimits:
    def __init__(self, account_concurrency: int):
        self.account_concurrency = account_concurrency
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._unreserved_in_flight = 0

    def acquire(self, function_arn: str, reserved: int | None, total_reserved: int) -> None:
        """Take one execution slot, or raise TooManyRequests ("Rate Exceeded.")."""
        with self._lock:
            if reserved is not None:
                if self._in_flight[function_arn] >= reserved:
                    raise TooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded")
            elif self._unreserved_in_flight >= self.account_concurrency - total_reserved:
                raise TooManyRequests("ConcurrentInvocationLimitExceeded")
            else:
                self._unreserved_in_flight += 1
            self._in_flight[function_arn] += 1

    def release(self, function_arn: str, reserved: int | None) -> None:
        with self._lock:
            self._in_flight[function_arn] -= 1
            if reserved is None:
                self._unreserved_in_flight -= 1

    def in_flight(self, function_arn: str) -> int:
        with self._lock:
            return self._in_flight[function_arn]


def unreserved_after(account_concurrency: int, reservations: dict[str, int], function: str, requested: int) -> int:
    """Unreserved concurrency left if `function` reserved `requested` (its old reservation replaced)."""
    others = sum(value for name, value in reservations.items() if name != function)
    return account_concurrency - others - requested
