"""The one timestamp format stored in the events table and written to the audit log."""

from __future__ import annotations

import time
from datetime import datetime

RETENTION_S = 90 * 24 * 3600  # expires_at: DynamoDB TTL removes an event 90 days after it arrived


# The most recent whole second and millisecond with their text: one read of a tuple, so threads never
# pair a millisecond with another's text. Most calls share the second; a request formats its millisecond twice.
_last_second: tuple = (None, "")
_last_milli: tuple = (None, "")


def iso_utc(epoch_s: float) -> str:
    """ISO-8601 UTC with milliseconds and Z, e.g. 2024-05-01T12:00:00.123Z."""
    global _last_second, _last_milli
    total_ms = round(epoch_s * 1000)
    cached_ms, cached_text = _last_milli
    if cached_ms == total_ms:
        return cached_text
    whole, millis = divmod(total_ms, 1000)
    second, second_text = _last_second
    if second != whole:
        second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _last_second = (whole, second_text)
    text = f"{second_text}.{millis:03d}Z"
    _last_milli = (total_ms, text)
    return text


def parse_iso_utc(text: str) -> float:
    """Inverse of iso_utc (also accepts no fraction); ValueError on anything else."""
    if not isinstance(text, str) or not text.endswith("Z"):
        raise ValueError(f"not a UTC timestamp: {text!r}")
    return datetime.fromisoformat(text).timestamp()
