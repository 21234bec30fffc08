"""What `local start` tells the Lambda runtime: limits, retry timing, where to keep things."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RuntimeConfig:
    work_dir: Path
    endpoint_url: str = "http://127.0.0.1:4566"
    account_concurrency: int = 1000
    # AWS waits about 1 then 2 minutes between async retries; locally much shorter.
    async_retry_delays_s: tuple[float, ...] = (1.0, 2.0)
    # Threads that run queued (Event) invocations.
    async_threads: int = 16
    # How often a stream or queue poller looks for new records when idle.
    poll_interval_s: float = 0.02
    # Pause before a stream batch is retried after a function error.
    stream_retry_delay_s: float = 0.05
    # Workers idle this long are stopped.
    idle_worker_ttl_s: float = 600.0

    @property
    def code_cache_dir(self) -> Path:
        return self.work_dir / "lambda-code"
