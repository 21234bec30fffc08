"""The one timestamp format stored in the events table and written to the audit log."""

from __future__ import annotations

import time
from datetime import datetime

RETENTION_S = 90 * 24 * 3600  # expires_at: DynamoDB TTL removes an event 90 days after it arrived


_last_second: list = [None, ""]  # the most recent whole second and its formatting: most calls share it


def iso_utc(epoch_s: float) -> str:
    """ISO-8601 UTC with milliseconds and Z, e.g. 2024-05-01T12:00:00.123Z."""
    whole, millis = divmod(round(epoch_s * 1000), 1000)
    if _last_second[0] != whole:
        _last_second[:] = [whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))]
    return f"{_last_second[1]}.{millis:03d}Z"


def parse_iso_utc(text: str) -> float:
    """Inverse of iso_utc (also accepts no fraction); ValueError on anything else."""
    if not isinstance(text, str) or not text.endswith("Z"):
        raise ValueError(f"not a UTC timestamp: {text!r}")
    return datetime.fromisoformat(text).timestamp()
