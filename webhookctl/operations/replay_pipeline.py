"""The moving parts of a replay run besides its invokes: how far ahead it receives, and its deletes.

At AWS's round trips (tens of milliseconds a call) a replay that waits for each receive and each
delete before the next invoke spends most of its time waiting. So several receives are in flight
ahead of the invokers, bounded by a window of messages held and not yet finished, and deletes go
out in batches of 10 from a thread of their own while the invokes go on.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from webhookctl.aws import AwsContext
from webhookctl.operations.held_messages import HeldMessages

BATCH = 10  # SQS's most per ReceiveMessage and per DeleteMessageBatch


def receivers_for(concurrency: int) -> int:
    """Receives in flight at once: enough to keep `concurrency` invokes fed when a receive costs what an invoke does."""
    return min(8, 1 + -(-concurrency // BATCH))


class Window:
    """At most `size` messages received and not yet finished; a receiver reserves room before it receives."""

    def __init__(self, size: int):
        self.size = size
        self._used = 0
        self._room = threading.Condition()

    def reserve(self, count: int, give_up: Callable[[], bool]) -> bool:
        """Wait until `count` more fit; False when `give_up()` turns true first."""
        with self._room:
            while self._used + count > self.size:
                if give_up():
                    return False
                self._room.wait(0.2)
            self._used += count
            return True

    def give_back(self, count: int = 1) -> None:
        with self._room:
            self._used -= count
            self._room.notify_all()


class DeleteBatcher:
    """Deletes replayed messages in batches of 10, off the invoking threads, one DeleteMessageBatch at a time.

    One at a time: the local cloud's SQS (moto's) rebuilds the queue's message list on each delete, so
    two concurrent deletes could undo each other. Each delete names the message's newest receipt handle.
    """

    def __init__(self, ctx: AwsContext, url: str, held: HeldMessages, on_failed: Callable[[int], None]):
        self._ctx = ctx
        self._url = url
        self._held = held
        self._on_failed = on_failed
        self._lock = threading.Lock()
        self._pending: list[str] = []  # message ids replayed and not yet deleted
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay-delete")

    def add(self, message_id: str) -> None:
        with self._lock:
            self._pending.append(message_id)
            full = len(self._pending) % BATCH == 0
        if full:
            self._sender.submit(self._send, False)

    def close(self) -> None:
        """Delete what is left, and wait for every delete to be answered."""
        self._sender.submit(self._send, True)
        self._sender.shutdown(wait=True)

    def _send(self, everything: bool) -> None:
        while True:
            with self._lock:
                if not self._pending or (len(self._pending) < BATCH and not everything):
                    return
                chunk, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            named = [(message_id, self._held.handle(message_id)) for message_id in chunk]
            named = [(message_id, handle) for message_id, handle in named if handle is not None]
            if not named:
                continue
            try:
                response = self._ctx.client("sqs").delete_message_batch(
                    QueueUrl=self._url, Entries=[{"Id": str(i), "ReceiptHandle": handle} for i, (_, handle) in enumerate(named)]
                )
            except Exception:  # noqa: BLE001 - they stay held, so they are released: replaying them again is harmless
                self._on_failed(len(named))
                continue
            failed_ids = {entry.get("Id") for entry in response.get("Failed", [])}
            for i, (message_id, _) in enumerate(named):
                if str(i) not in failed_ids:
                    self._held.forget(message_id)
            if failed_ids:
                # Replayed but not deleted: it will come back, and replaying it again is harmless.
                self._on_failed(len(failed_ids))
