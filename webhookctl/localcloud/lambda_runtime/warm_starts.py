"""Warm starts: a worker for each function soon after its code or configuration changes.

AWS's provisioned concurrency keeps an execution environment initialised ahead of the first
invocation. The local cloud does the same for every function: so the first `send-test` after
`up` does not wait for three cold starts one after another. A deploy changes a function
several times in a row (code, configuration, concurrency), so a start waits until the
function has been quiet for a moment, and starts run one at a time, off the request path.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

FunctionRef = tuple[str, str, str]  # account, region, function name
QUIET_S = 0.3  # a function must be unchanged this long before its worker is started


class WarmStarts:
    def __init__(self, start: Callable[[str, str, str], None], *, quiet_s: float = QUIET_S,
                 clock: Callable[[], float] = time.monotonic):
        self._start = start
        self._quiet_s = quiet_s
        self._clock = clock
        self._due: dict[FunctionRef, float] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def changed(self, account: str, region: str, name: str) -> None:
        """The function's code or configuration changed: (re)schedule its warm start."""
        with self._changed:
            if self._stopping:
                return
            self._due[(account, region, name)] = self._clock() + self._quiet_s
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lambda-warm-starts", daemon=True)
                self._thread.start()
            self._changed.notify()

    def forget(self, account: str, region: str, name: str) -> None:
        """The function was deleted: no start for it."""
        with self._changed:
            self._due.pop((account, region, name), None)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._due.clear()
            self._changed.notify()

    def _next(self) -> FunctionRef | None:
        """The next function whose quiet time is over, waiting for one; None once stopped."""
        with self._changed:
            while not self._stopping:
                if self._due:
                    function, due = min(self._due.items(), key=lambda item: item[1])
                    wait = due - self._clock()
                    if wait <= 0:
                        del self._due[function]
                        return function
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
            return None

    def _run(self) -> None:
        while (function := self._next()) is not None:
            try:
                self._start(*function)
            except Exception:  # a warm start is an optimisation: the first invocation starts one anyway
                pass
