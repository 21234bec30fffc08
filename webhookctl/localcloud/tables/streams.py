"""Stream shards as a poller sees them: an identity, a length, and records by position.

Both the in-process view (moto's shards in this process) and the table process's internal
endpoints are built on these functions, so a poller reads the same records either way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
import time
from typing import Any, Callable

from webhookctl.localcloud.doorbell import Doorbell


@dataclass(frozen=True)
class ShardInfo:
    token: str  # changes when the stream's shard is replaced (the table was re-created)
    shard_id: str
    length: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def find_shard(account: str, region: str, stream_arn: str) -> Any:
    """moto's shard behind `stream_arn` in this process, or None."""
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    tables = get_backend("dynamodb")[account][region].tables
    for table in list(tables.values()):
        if table.stream_shard is not None and table.latest_stream_label and \
                f"{table.table_arn}/stream/{table.latest_stream_label}" == stream_arn:
            return table.stream_shard
    return None


def shard_info(shard: Any) -> ShardInfo:
    # moto gives every shard the same id, so the token also names its creation (a re-created table's
    # shard gets a new one). It must not name the object: a restored shard is the same shard.
    return ShardInfo(token=f"{shard.id}-{_epoch(shard.created_on):.6f}", shard_id=shard.id, length=len(shard.items))


def shard_records(shard: Any, start: int, limit: int) -> list[dict[str, Any]]:
    """Records [start, start + limit), JSON-ready (creation time as epoch seconds)."""
    return [_json_ready(item.to_json()) for item in shard.items[start:start + limit]]


def index_at(shard: Any, since_epoch: float) -> int:
    """Position of the first record created at or after `since_epoch` (AT_TIMESTAMP)."""
    for index, item in enumerate(list(shard.items)):
        if _epoch(item.to_json()["dynamodb"]["ApproximateCreationDateTime"]) >= since_epoch:
            return index
    return len(shard.items)


def read(find: Callable[[], Any], writes: Doorbell, token: str | None, start: int, limit: int,
         wait_s: float, window_s: float) -> tuple[ShardInfo | None, list[dict[str, Any]]]:
    """(the shard, records from `start`): waits up to `wait_s` for a first record, then up to
    `window_s` for the batch to fill. A `token` naming another shard returns at once, with no
    records, so the caller can pick its starting position in the new one."""
    clock = time.monotonic
    deadline, filled_by = clock() + wait_s, None
    while True:
        seen = writes.rings  # before looking, so a write during the look is not missed
        shard = find()
        if shard is None:
            return None, []
        info = shard_info(shard)
        if info.token != token:
            return info, []
        available = info.length - start
        if available > 0 and filled_by is None:
            filled_by = clock() + (window_s if available < limit else 0.0)
        until = filled_by if filled_by is not None else deadline
        if available >= limit or clock() >= until:
            return info, shard_records(shard, start, limit) if available > 0 else []
        writes.wait_past(seen, until - clock())


class LocalShards:
    """The shards of moto's DynamoDB in this process; `writes` is rung after each table write."""

    def __init__(self, writes: Doorbell):
        self.writes = writes

    def read(self, account: str, region: str, stream_arn: str, token: str | None, start: int, limit: int,
             wait_s: float, window_s: float) -> tuple[ShardInfo | None, list[dict[str, Any]]]:
        return read(lambda: find_shard(account, region, stream_arn), self.writes, token, start, limit, wait_s, window_s)

    def index_at(self, account: str, region: str, stream_arn: str, token: str, since_epoch: float) -> int:
        shard = find_shard(account, region, stream_arn)
        if shard is None or shard_info(shard).token != token:
            return 0
        return index_at(shard, since_epoch)


def _json_ready(stored: dict[str, Any]) -> dict[str, Any]:
    dynamodb = dict(stored["dynamodb"])
    dynamodb["ApproximateCreationDateTime"] = _epoch(dynamodb["ApproximateCreationDateTime"])
    return {**stored, "dynamodb": dynamodb}


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return float(value)
