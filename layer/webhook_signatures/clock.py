"""Time for tolerance checks: Unix seconds from a pinned value or the system clock."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from webhook_signatures.errors import SignatureInvalid


def unix_now(now: float | int | datetime | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        return now.timestamp()
    return float(now)


def parse_unix_timestamp(text: str | None, what: str) -> int:
    """A signed integer Unix timestamp from a header; SignatureInvalid when absent or not an integer."""
    if not text:
        raise SignatureInvalid(f"missing {what}")
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()) or len(stripped) > 12:  # int() refuses "²"
        raise SignatureInvalid(f"{what} is not a Unix timestamp")
    return int(stripped)


def check_tolerance(timestamp: int, now: float, tolerance_s: float | None) -> None:
    """Refuse timestamps older or newer than the tolerance (replays, and clocks far ahead)."""
    if tolerance_s is None:
        return
    if timestamp < now - tolerance_s:
        raise SignatureInvalid(f"timestamp is more than {tolerance_s:g}s old")
    if timestamp > now + tolerance_s:
        raise SignatureInvalid(f"timestamp is more than {tolerance_s:g}s in the future")
