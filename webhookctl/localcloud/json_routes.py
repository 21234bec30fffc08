"""JSON-protocol calls (DynamoDB, DynamoDB Streams, CloudWatch Logs) straight to moto's app for the service.

moto's DomainDispatcherApplication works out the service of every request under one global lock,
scanning moto's module list and its URL patterns; for the pipeline's hot calls (PutItem,
UpdateItem, PutLogEvents) that costs about a fifth of the request. These calls name their
operation in X-Amz-Target, and no overlay acts on them, so they go straight to the same Flask
app the dispatcher would pick (built the same way, by the dispatcher's own `create_app`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

# X-Amz-Target prefix -> moto service (the dispatcher's app_instances key)
SERVICE_BY_TARGET_PREFIX = {
    "DynamoDB_20120810": "dynamodb",
    "DynamoDBStreams_20120810": "dynamodbstreams",
    "Logs_20140328": "logs",
}
# DynamoDB operations that may add stream records.
TABLE_WRITES = frozenset({
    "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
    "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
})


def target_of(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(moto service, operation) of a JSON-protocol request this module routes, else None."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if not target or environ.get("PATH_INFO", "/") != "/" or environ.get("REQUEST_METHOD") != "POST":
        return None
    prefix, _, operation = target.partition(".")
    service = SERVICE_BY_TARGET_PREFIX.get(prefix)
    return (service, operation) if service and operation else None


class JsonProtocolRoutes:
    """Finds moto's app for a JSON-protocol request, and rings `on_table_write` after DynamoDB writes."""

    def __init__(self, dispatcher: Any, on_table_write: Callable[[], None] | None = None):
        self._dispatcher = dispatcher  # moto's DomainDispatcherApplication (owns app_instances)
        self._on_table_write = on_table_write

    def serve(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes] | None:
        """moto's answer, or None when the request is not one of these calls."""
        found = target_of(environ)
        if found is None:
            return None
        service, operation = found
        app = self._dispatcher.app_instances.get(service)
        if app is None:
            with self._dispatcher.lock:
                app = self._dispatcher.app_instances.get(service)
                if app is None:
                    app = self._dispatcher.app_instances[service] = self._dispatcher.create_app(service)
        body = app(environ, start_response)
        if self._on_table_write is not None and service == "dynamodb" and operation in TABLE_WRITES:
            self._on_table_write()  # Flask has run the call by now: its records are in the shard
        return body
