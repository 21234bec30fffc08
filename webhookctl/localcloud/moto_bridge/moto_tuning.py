"""Per-request work in moto that does not depend on the request, done once instead.

moto's BaseResponse.call_action lists the response class's methods with inspect.getmembers on
every call (about 7% of a PutItem here), only to check that the action is one of them. A class's
functions do not change while the server runs, so the list is computed once per class.
DynamoDB's UpdateExpression and ConditionExpression parses are shared between calls that give
the same inputs, the validator's copy of the update tree is made by hand, its tree walks stop
rebuilding a constant map at every node, and a new item's size is summed once: together about
half of an UpdateItem's CPU and a third of a PutItem's (bench/local/moto_calls.py).
SQS's retention check read one setting by building every queue attribute, which counts every
message: receiving from a deep queue cost the depth squared. JSON-protocol answers (DynamoDB, SQS,
Logs) are serialised, and their requests parsed, through plans made once per shape, which do what
moto's serialiser and parser do and hand them every value they do not know: the same bytes, for
about a quarter of a PutItem's, UpdateItem's or GetItem's CPU. moto's stores and rules are
otherwise untouched; `revert` puts moto's own functions back.
The DynamoDB tunings live in dynamodb_tuning, the plans in json_result_plans and json_request_plans;
this module applies them all.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge.dynamodb_tuning import (  # noqa: F401
    copy_tree,
    copy_update_trees_directly,
    share_parsed_conditions,
    share_parsed_update_expressions,
    size_new_items_in_one_pass,
    traverse_with_one_processing_map,
)
from webhookctl.localcloud.moto_bridge.guard import decide
from webhookctl.localcloud.moto_bridge.json_request_plans import parse_json_requests_by_plan
from webhookctl.localcloud.moto_bridge.json_result_plans import serialise_json_results_by_plan
from webhookctl.localcloud.moto_bridge.patching import _INSTALLED, _replace, revert  # noqa: F401


def cache_action_method_names() -> None:
    """Memoise moto.core.responses' method_names_from_class (idempotent)."""
    from moto.core import responses

    def memoised(original: Callable[[type], Any]) -> Callable[[type], tuple[str, ...]]:
        @functools.lru_cache(maxsize=None)
        def method_names(clazz: type) -> tuple[str, ...]:
            return tuple(original(clazz))

        return method_names

    _replace(responses, "method_names_from_class", memoised)


def read_sqs_retention_directly() -> None:
    """Check a message's retention against the queue's setting alone (idempotent)."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def reading_the_setting(_original: Any) -> Callable[..., bool]:
        def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Any) -> bool:
            retention_period = int(self.get_queue(queue_name).message_retention_period)
            return retention_period + message.sent_timestamp / 1000 > unix_time()

        return is_message_valid_based_on_retention_period

    _replace(SQSBackend, "is_message_valid_based_on_retention_period", reading_the_setting)


def serialise_sqs_deletes() -> None:
    """Hold the queue's message lock while moto deletes a message (idempotent).

    moto deletes by rebuilding the queue's message list outside the lock its sends take, so a
    send, or another delete, landing in between is undone: a dead letter could vanish, or a
    replayed one reappear. This is a correctness fix for a threaded server, not a speed-up.
    """
    from moto.sqs.models import Queue

    def holding_the_lock(original: Callable[[Queue, str], None]) -> Callable[[Queue, str], None]:
        def delete_message(self: Queue, receipt_handle: str) -> None:
            with self._messages_lock:  # a Condition over an RLock: sends take the same lock
                original(self, receipt_handle)

        return delete_message

    _replace(Queue, "delete_message", holding_the_lock)


def apply(leave_out: tuple[str, ...] = ()) -> None:
    """Every tuning listed here (but those named in `leave_out`); the server applies them once at start."""
    for tuning in TUNINGS:
        if tuning.__name__ not in leave_out and decide(tuning.__name__):
            tuning()


TUNINGS = (
    cache_action_method_names,
    share_parsed_update_expressions,
    copy_update_trees_directly,
    traverse_with_one_processing_map,
    share_parsed_conditions,
    size_new_items_in_one_pass,
    read_sqs_retention_directly,
    serialise_sqs_deletes,
    serialise_json_results_by_plan,
    parse_json_requests_by_plan,
)
