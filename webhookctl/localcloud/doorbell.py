"""A wake-up for pollers: writers ring it, a poller sleeps until the next ring instead of polling."""

from __future__ import annotations

import threading


class Doorbell:
    def __init__(self) -> None:
        self._rung = threading.Condition()
        self.rings = 0

    def ring(self) -> None:
        with self._rung:
            self.rings += 1
            self._rung.notify_all()

    def wait_past(self, seen: int, timeout_s: float) -> int:
        """Block until rung after `seen` (a value of `rings`), at most `timeout_s`; the latest count."""
        with self._rung:
            if self.rings == seen:
                self._rung.wait(timeout_s)
            return self.rings
