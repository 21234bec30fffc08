"""Changes share the barrier; a snapshot takes it alone, so it never falls between a change and its record."""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator


class SnapshotBarrier:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._sharers = 0
        self._exclusive = False
        self._waiting = 0  # a waiting snapshot holds back new sharers, or a busy server would starve it
        self._held = threading.local()

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        depth = getattr(self._held, "depth", 0)
        if depth:  # already inside a change on this thread (a hooked moto call within a request)
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        with self._cond:
            while self._exclusive or self._waiting:
                self._cond.wait()
            self._sharers += 1
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            with self._cond:
                self._sharers -= 1
                if not self._sharers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._exclusive or self._sharers:
                self._cond.wait()
            self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()
