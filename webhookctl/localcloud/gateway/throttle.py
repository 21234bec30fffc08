"""Stage throttling: one token bucket per stage, from its */* method settings."""

from __future__ import annotations

import threading
import time
from typing import Callable

# API Gateway's account-level defaults when a stage sets no throttling.
DEFAULT_RATE = 10_000.0
DEFAULT_BURST = 5_000


class TokenBucket:
    """`burst` tokens at most, refilled at `rate` per second; thread-safe."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one token; False means the request is throttled."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


def stage_limits(method_settings: dict | None) -> tuple[float, int]:
    """(rate, burst) from a stage's method settings; "*/*" is the stage-wide setting."""
    settings = (method_settings or {}).get("*/*") or {}
    rate = settings.get("throttlingRateLimit", DEFAULT_RATE)
    burst = settings.get("throttlingBurstLimit", DEFAULT_BURST)
    return float(rate), int(burst)


class StageThrottles:
    """A bucket per (api, stage); a changed limit replaces the bucket, as a redeployed stage would."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def allow(self, api_id: str, stage: str, rate: float, burst: int) -> bool:
        key = (api_id, stage)
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate or bucket.burst != burst:
            with self._lock:
                bucket = self._buckets.get(key)
                if bucket is None or bucket.rate != rate or bucket.burst != burst:
                    bucket = self._buckets[key] = TokenBucket(rate, burst, self._clock)
        return bucket.take()
