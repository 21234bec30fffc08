"""Per-request work in moto's wire layer that does not depend on the request, done once instead.

moto's BaseResponse.call_action lists the response class's methods with inspect.getmembers on
every call (about 7% of a PutItem here), only to check that the action is one of them. A class's
functions do not change while the server runs, so the list is computed once per class.
UpdateItem's wire layer parses the UpdateExpression only to read which names and values it uses;
that parse is shared between calls with the same expression string. SQS's retention check read
one setting by building every queue attribute, which counts every message: receiving from a deep
queue cost the depth squared. moto's stores, rules and serialisation are otherwise untouched.
"""

from __future__ import annotations

import functools


def cache_action_method_names() -> None:
    """Memoise moto.core.responses' method_names_from_class (idempotent)."""
    from moto.core import responses

    original = responses.method_names_from_class
    if getattr(original, "cache_info", None) is not None:
        return

    @functools.lru_cache(maxsize=None)
    def method_names(clazz: type) -> tuple[str, ...]:
        return tuple(original(clazz))

    responses.method_names_from_class = method_names


class _ReadOnlyUpdateExpressions:
    """Stands in for UpdateExpressionParser where moto only reads the tree it gets back."""

    def __init__(self, parser: type, cache_size: int):
        self.parser = parser
        # A failed parse raises and is not cached: the error is raised again on every call, as before.
        self.make = functools.lru_cache(maxsize=cache_size)(parser.make)


def share_parsed_update_expressions(cache_size: int = 256) -> None:
    """Parse each UpdateExpression string once for moto's request checks (idempotent).

    UpdateItem parses its UpdateExpression twice: once in the wire layer, only to list the #names
    and :values it uses (`find_clauses` reads the tree), and again in the backend, whose validator
    rewrites that tree in place. Only the first parse is shared; the backend keeps parsing afresh,
    because a cached tree would have to be deep-copied and the copy costs about as much as the parse.
    """
    from moto.dynamodb import responses

    if isinstance(responses.UpdateExpressionParser, _ReadOnlyUpdateExpressions):
        return
    responses.UpdateExpressionParser = _ReadOnlyUpdateExpressions(responses.UpdateExpressionParser, cache_size)


def read_sqs_retention_directly() -> None:
    """Check a message's retention against the queue's setting alone (idempotent)."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    if getattr(SQSBackend.is_message_valid_based_on_retention_period, "reads_setting_directly", False):
        return

    def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message) -> bool:  # type: ignore[no-untyped-def]
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return retention_period + message.sent_timestamp / 1000 > unix_time()

    is_message_valid_based_on_retention_period.reads_setting_directly = True  # type: ignore[attr-defined]
    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


def serialise_sqs_deletes() -> None:
    """Hold the queue's message lock while moto deletes a message (idempotent).

    moto deletes by rebuilding the queue's message list outside the lock its sends take, so a
    send, or another delete, landing in between is undone: a dead letter could vanish, or a
    replayed one reappear. This is a correctness fix for a threaded server, not a speed-up.
    """
    from moto.sqs.models import Queue

    original = Queue.delete_message
    if getattr(original, "holds_messages_lock", False):
        return

    def delete_message(self: Queue, receipt_handle: str) -> None:
        with self._messages_lock:  # a Condition over an RLock: sends take the same lock
            original(self, receipt_handle)

    delete_message.holds_messages_lock = True  # type: ignore[attr-defined]
    Queue.delete_message = delete_message


def apply() -> None:
    """Every tuning in this module; the server applies them once at start."""
    cache_action_method_names()
    share_parsed_update_expressions()
    read_sqs_retention_directly()
    serialise_sqs_deletes()
