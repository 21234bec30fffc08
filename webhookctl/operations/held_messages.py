"""Messages a run holds invisible, released (ChangeMessageVisibility 0) whenever the run ends, even by a signal.

A replay receives messages with a short visibility timeout (a lease) and renews it while it holds
them. Whatever it has not deleted when it stops, because it failed, did not match, was not reached,
or the run was interrupted, is made visible again before the process exits, so nothing waits out the
hold. A run killed outright (SIGKILL, a lost machine) renews nothing: what it held is visible again
once the lease runs out, for the next run to replay.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from contextlib import contextmanager
from typing import Any, Iterator

from webhookctl.aws import AwsContext
from webhookctl.operations.dead_letters import change_visibility, release

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
EXIT_CODE_BY_SIGNAL = {"SIGINT": 130, "SIGTERM": 143}  # 128 + the signal's number, the shells' convention


class HeldMessages:
    """Receipt handles of the messages a run holds, by message id (the newest handle wins)."""

    def __init__(self, ctx: AwsContext, url: str, *, lease_s: int = 900):
        self._ctx = ctx
        self._url = url
        self.lease_s = lease_s
        self._lock = threading.Lock()
        # Releases and renewals in turn: a renewal never lands after a release and hides the message again.
        self._visibility = threading.Lock()
        self._handles: dict[str, str] = {}
        self.released = 0

    def hold(self, message_id: str, receipt_handle: str) -> None:
        with self._lock:
            self._handles[message_id] = receipt_handle

    def holds(self, message_id: str) -> bool:
        with self._lock:
            return message_id in self._handles

    def handle(self, message_id: str) -> str | None:
        """The newest receipt handle of a held message: the one a delete must name."""
        with self._lock:
            return self._handles.get(message_id)

    def forget(self, message_id: str) -> None:
        """Deleted: nothing left to release."""
        with self._lock:
            self._handles.pop(message_id, None)

    def release(self, message_id: str) -> None:
        """Visible again now: the run will not replay it."""
        with self._visibility:
            with self._lock:
                handle = self._handles.pop(message_id, None)
            if handle is not None:
                release(self._ctx, self._url, [handle])
                with self._lock:
                    self.released += 1

    def release_all(self) -> int:
        with self._visibility:
            with self._lock:
                handles, self._handles = list(self._handles.values()), {}
            release(self._ctx, self._url, handles)
        with self._lock:
            self.released += len(handles)
        return len(handles)

    def renew(self) -> None:
        """Every held message stays invisible for another lease (one already deleted is fine)."""
        with self._visibility:
            with self._lock:
                handles = list(self._handles.values())
            change_visibility(self._ctx, self._url, handles, self.lease_s)

    @contextmanager
    def renewing(self) -> Iterator[None]:
        """While inside, the lease is renewed every third of it, so a held message never shows while held."""
        done = threading.Event()

        def keep() -> None:
            while not done.wait(self.lease_s / 3):
                try:
                    self.renew()
                except Exception:  # noqa: BLE001 - a missed renewal only shortens the hold; the next one catches up
                    continue

        keeper = threading.Thread(target=keep, name="replay-lease", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            done.set()
            keeper.join()


class StopOnSignals:
    """While active, SIGINT and SIGTERM set `stopping` (and name the signal) instead of killing the run."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.signal_name: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "StopOnSignals":
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                self._previous[number] = signal.signal(number, self._stop)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _stop(self, number: int, frame: FrameType | None) -> None:
        if self.signal_name is None:
            self.signal_name = signal.Signals(number).name
        self.stopping.set()
