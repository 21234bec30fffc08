"""SQS work in moto that grows with a queue's depth, made flat (see moto_tuning for the rest).

Queue.messages asks every message whether it is visible and not delayed, and each answer reads
the clock (utcnow and an epoch subtraction). A receive scans the whole queue, in-flight messages
included, so draining a dead-letter queue of n messages cost n² clock reads: about a third of the
server's CPU in a 1,000-message `dlq replay`. One reading per scan answers as a scan that took no
time would.
"""

from __future__ import annotations

from typing import Any

from webhookctl.localcloud.moto_bridge.guard import decide
from webhookctl.localcloud.moto_bridge.patching import _replace


def read_the_clock_once_per_queue_scan() -> None:
    """Queue.messages with one clock reading per call (idempotent)."""
    from moto.core import utils
    from moto.sqs.models import Queue

    def one_reading(original: property) -> property:
        def messages(self: Queue) -> list[Any]:
            now = utils.unix_time_millis()
            return [message for message in self._messages if now > message.visible_at and not now < message.delayed_until]

        return property(messages, doc=original.__doc__)

    _replace(Queue, "messages", one_reading)


def apply() -> None:
    if decide("read_the_clock_once_per_queue_scan"):
        read_the_clock_once_per_queue_scan()
