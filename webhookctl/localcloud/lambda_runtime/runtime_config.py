"""What `local start` tells the Lambda runtime: limits, retry timing, where to keep things."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from webhookctl.localcloud.lambda_runtime.worker_pool import PoolLimits


@dataclass(frozen=True)
class RuntimeConfig:
    work_dir: Path
    endpoint_url: str = "http://127.0.0.1:4566"
    # The table process, when DynamoDB runs in one: functions call it directly, pollers read its streams.
    table_endpoint_url: str | None = None
    account_concurrency: int = 1000
    # AWS waits about 1 then 2 minutes between async retries; locally much shorter.
    async_retry_delays_s: tuple[float, ...] = (1.0, 2.0)
    # Threads that run queued (Event) invocations; each waits for a warm worker (see worker_pool).
    async_threads: int = 8
    # Warm workers first; new ones started one at a time per function, sized for this machine.
    pool_limits: PoolLimits = field(default_factory=PoolLimits.for_this_machine)
    # How often a queue poller looks for new messages when idle.
    poll_interval_s: float = 0.02
    # A stream read waits on the table's writes; this re-check only covers writes made some
    # other way (in-process calls). AWS itself polls a shard about four times a second.
    stream_idle_recheck_s: float = 0.5
    # After new stream records appear, wait this long for more (unless the batch fills), so the
    # function gets real batches; the mapping's MaximumBatchingWindowInSeconds overrides it.
    stream_batch_window_s: float = 0.1
    # Pause before a stream batch is retried after a function error.
    stream_retry_delay_s: float = 0.05
    # Start a worker for each function soon after its code or configuration changes, as
    # provisioned concurrency would, so the first invocation after a deploy finds it warm.
    warm_start_functions: bool = True
    # Workers idle this long are stopped.
    idle_worker_ttl_s: float = 600.0

    @property
    def code_cache_dir(self) -> Path:
        return self.work_dir / "lambda-code"
