"""Read a CloudWatch log group as a stream of lines, once each.

Polling uses FilterLogEvents over a moving window that overlaps the previous one,
so a line ingested late is still found, and remembers the eventIds it has
returned, so a line in the overlap is never returned twice. With --follow it
uses StartLiveTail when the endpoint supports it, and falls back to polling.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from webhookctl.aws import AwsContext
from webhookctl.errors import UsageError

DEFAULT_OVERLAP_MS = 30_000  # CloudWatch ingestion usually lags seconds; this covers the slow tail
_DURATION = re.compile(r"^\s*([0-9]+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class LogLine:
    event_id: str
    timestamp: int  # epoch ms, as the producer stamped it
    stream: str
    message: str

    @property
    def time(self) -> str:
        return iso_ms(self.timestamp)

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "timestamp": self.timestamp, "stream": self.stream, "message": self.message, "event_id": self.event_id}


def iso_ms(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def parse_since(text: str, *, now: float | None = None) -> int:
    """`15m`, `2h`, `30s`, `1d`, `1w`, or an ISO-8601 time -> epoch ms."""
    now = time.time() if now is None else now
    match = _DURATION.match(text or "")
    if match:
        return int((now - int(match.group(1)) * _UNITS[match.group(2)]) * 1000)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since must be a duration such as 15m, 2h, 1d or an ISO-8601 time (got {text!r})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment.timestamp() < 0:
        raise UsageError(f"--since must not be before 1970-01-01T00:00:00Z (got {text!r})")
    return int(moment.timestamp() * 1000)


def line_from_event(event: dict[str, Any]) -> LogLine:
    stream = event.get("logStreamName", "")
    timestamp = int(event.get("timestamp", 0))
    message = (event.get("message") or "").rstrip("\n")
    event_id = event.get("eventId") or content_id(stream, timestamp, message)
    return LogLine(event_id=str(event_id), timestamp=timestamp, stream=stream, message=message)


def content_id(stream: str, timestamp: int, message: str) -> str:
    """An id for events that carry none (live tail): the same line from either source gets the same id."""
    return "c:" + hashlib.sha256(f"{stream}\0{timestamp}\0{message}".encode()).hexdigest()[:32]


Fetch = Callable[[int], Iterable[dict[str, Any]]]  # start ms -> raw FilterLogEvents events


def filter_log_events_fetcher(ctx: AwsContext, group: str, *, filter_pattern: str | None = None) -> Fetch:
    """Every event from `start` on, across pages; a log group that does not exist yet has no events."""
    client = ctx.client("logs")

    def fetch(start_ms: int) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
        if filter_pattern:
            request["filterPattern"] = filter_pattern
        while True:
            try:
                page = client.filter_log_events(**request)
            except client.exceptions.ResourceNotFoundException:
                return
            yield from page.get("events", [])
            token = page.get("nextToken")
            if not token or token == request.get("nextToken"):
                return
            request["nextToken"] = token

    return fetch


class WindowedLogPoller:
    """Each poll fetches from (previous poll's start - overlap) and returns only lines not yet returned."""

    def __init__(self, fetch: Fetch, *, since_ms: int, overlap_ms: int = DEFAULT_OVERLAP_MS, clock: Callable[[], float] = time.time):
        self._fetch = fetch
        self._since_ms = since_ms
        self._overlap_ms = overlap_ms
        self._clock = clock
        self.window_start_ms = since_ms
        self._seen: dict[str, int] = {}  # eventId -> timestamp, for lines that can still reappear

    def poll(self) -> list[LogLine]:
        started_ms = int(self._clock() * 1000)
        fresh = []
        for event in self._fetch(self.window_start_ms):
            line = line_from_event(event)
            if line.timestamp < self._since_ms or line.event_id in self._seen:
                continue
            self._seen[line.event_id] = line.timestamp
            fresh.append(line)
        # Move the window, never backwards; anything older than its start cannot be fetched again, so forget it.
        self.window_start_ms = max(self.window_start_ms, started_ms - self._overlap_ms)
        self._seen = {eid: ts for eid, ts in self._seen.items() if ts >= self.window_start_ms}
        fresh.sort(key=lambda line: (line.timestamp, line.stream, line.event_id))
        return fresh

    def remember(self, lines: Iterable[LogLine]) -> None:
        for line in lines:
            self._seen[line.event_id] = line.timestamp


def poll_forever(poller: WindowedLogPoller, *, interval_s: float, stop: threading.Event | None = None) -> Iterator[LogLine]:
    stop = stop or threading.Event()
    while not stop.is_set():
        yield from poller.poll()
        stop.wait(interval_s)


def read_log_group(
    ctx: AwsContext,
    group: str,
    *,
    since_ms: int,
    follow: bool = False,
    interval_s: float = 2.0,
    live_tail: bool = True,
    stop: threading.Event | None = None,
) -> Iterator[LogLine]:
    """Lines from `since_ms` on, in time order; with `follow`, keep going until `stop` is set (or Ctrl-C)."""
    poller = WindowedLogPoller(filter_log_events_fetcher(ctx, group), since_ms=since_ms)
    if not follow:
        yield from poller.poll()
        return
    # moto (and so the local cloud) answers StartLiveTail with a session that never streams: poll there.
    session = open_live_tail(ctx, group) if live_tail and ctx.target == "aws" else None
    if session is None:
        yield from poll_forever(poller, interval_s=interval_s, stop=stop)
        return
    # The live session is open before the backfill, so nothing falls between them; content ids dedupe the overlap.
    backfill = [_with_content_id(line) for line in poller.poll()]
    seen = {line.event_id for line in backfill}
    yield from backfill
    try:
        for line in session:
            if stop is not None and stop.is_set():
                return
            if line.event_id in seen:
                seen.discard(line.event_id)
                continue
            yield line
    finally:
        session.close()


def _with_content_id(line: LogLine) -> LogLine:
    return LogLine(content_id(line.stream, line.timestamp, line.message), line.timestamp, line.stream, line.message)


class LiveTailSession:
    """The lines of one StartLiveTail response stream."""

    def __init__(self, stream: Any):
        self._stream = stream

    def __iter__(self) -> Iterator[LogLine]:
        for message in self._stream:
            update = message.get("sessionUpdate")
            if not update:
                continue
            for result in update.get("sessionResults", []):
                yield line_from_event({k: v for k, v in result.items() if k != "eventId"})

    def close(self) -> None:
        try:
            self._stream.close()
        except Exception:  # noqa: BLE001 - closing a broken stream is best effort
            pass


def open_live_tail(ctx: AwsContext, group: str) -> LiveTailSession | None:
    """A live session when the endpoint supports StartLiveTail; None otherwise (the caller polls)."""
    try:
        from botocore.config import Config

        arn = _log_group_arn(ctx, group)
        if arn is None:
            return None
        # Custom endpoints have no `streaming-logs.` host; don't prefix it, and don't retry a refusal.
        config = Config(inject_host_prefix=ctx.endpoint_url is None, retries={"max_attempts": 1}, read_timeout=3600)
        client = ctx.session.client("logs", region_name=ctx.region, endpoint_url=ctx.endpoint_url, config=config)
        ctx.counter.record("logs", "StartLiveTail")
        stream = client.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]
        iterator = iter(stream)
        first = next(iterator)  # sessionStart, or an error raised by the stream
        if "sessionStart" not in first:
            return None
        return LiveTailSession(iterator)
    except Exception:  # noqa: BLE001 - any refusal means: poll instead
        return None


def _log_group_arn(ctx: AwsContext, group: str) -> str | None:
    for page in ctx.client("logs").get_paginator("describe_log_groups").paginate(logGroupNamePrefix=group):
        for entry in page.get("logGroups", []):
            if entry.get("logGroupName") == group and entry.get("arn"):
                return entry["arn"].removesuffix(":*")
    return None
