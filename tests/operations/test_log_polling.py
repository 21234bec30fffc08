"""The moving window never loses or repeats a line, including lines ingested late into the overlap."""

from __future__ import annotations

import pytest

from webhookctl.errors import UsageError
from webhookctl.operations.log_polling import WindowedLogPoller, parse_since


class FakeLogGroup:
    """FilterLogEvents over the events ingested so far (startTime inclusive)."""

    def __init__(self):
        self.ingested: list[dict] = []
        self.fetches: list[int] = []

    def add(self, event_id: str, timestamp_ms: int, message: str = "", stream: str = "s") -> None:
        self.ingested.append({"eventId": event_id, "timestamp": timestamp_ms, "message": message or event_id, "logStreamName": stream})

    def fetch(self, start_ms: int):
        self.fetches.append(start_ms)
        return sorted((e for e in self.ingested if e["timestamp"] >= start_ms), key=lambda e: e["timestamp"])


def test_each_line_is_returned_once_across_polls_and_late_lines_in_the_overlap_are_found():
    clock = [100.0]
    group = FakeLogGroup()
    poller = WindowedLogPoller(group.fetch, since_ms=90_000, overlap_ms=5_000, clock=lambda: clock[0])
    printed: list[str] = []

    group.add("a", 95_000)
    group.add("b", 99_000)
    printed += [line.event_id for line in poller.poll()]  # at t=100
    clock[0] = 103.0
    group.add("c", 102_000)
    group.add("late", 98_000)  # stamped before the previous poll, ingested after it: inside the overlap
    printed += [line.event_id for line in poller.poll()]
    clock[0] = 110.0
    group.add("d", 109_000)
    group.add("same-ms-1", 109_500, stream="x")
    group.add("same-ms-2", 109_500, stream="x")
    printed += [line.event_id for line in poller.poll()]
    clock[0] = 111.0
    printed += [line.event_id for line in poller.poll()]  # nothing new: nothing printed

    assert printed == ["a", "b", "late", "c", "d", "same-ms-1", "same-ms-2"]
    assert len(printed) == len(set(printed))
    # The window moved forward and always overlapped the previous poll by 5 s.
    assert group.fetches == [90_000, 95_000, 98_000, 105_000]


def test_lines_before_since_are_never_returned_and_memory_is_pruned():
    clock = [200.0]
    group = FakeLogGroup()
    group.add("old", 10_000)
    poller = WindowedLogPoller(group.fetch, since_ms=150_000, overlap_ms=1_000, clock=lambda: clock[0])
    for i in range(50):
        group.add(f"e{i}", 150_000 + i * 1000)
    assert [line.event_id for line in poller.poll()] == [f"e{i}" for i in range(50)]
    clock[0] = 400.0
    assert poller.poll() == []
    assert len(poller._seen) == 0  # everything older than the window is forgotten


def test_parse_since_durations_and_times():
    assert parse_since("15m", now=1000.0) == (1000 - 900) * 1000
    assert parse_since("2h", now=10_000.0) == (10_000 - 7200) * 1000
    assert parse_since("2024-05-01T00:00:00Z") == 1714521600000
    with pytest.raises(UsageError):
        parse_since("yesterday")


def test_follow_polls_a_real_log_group_until_stopped(env):
    import threading
    import time

    from webhookctl.operations.log_polling import read_log_group

    logs = env.client("logs")
    group = env.names.audit_log_group
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    stop = threading.Event()
    start_ms = int(time.time() * 1000) - 1000

    def write():
        for i in range(5):
            logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[{"timestamp": int(time.time() * 1000), "message": f"line {i}"}])
            time.sleep(0.15)
        time.sleep(0.5)
        stop.set()

    writer = threading.Thread(target=write)
    writer.start()
    seen = [line.message for line in read_log_group(env.ctx, group, since_ms=start_ms, follow=True, interval_s=0.1, stop=stop)]
    writer.join()
    assert seen == [f"line {i}" for i in range(5)]
