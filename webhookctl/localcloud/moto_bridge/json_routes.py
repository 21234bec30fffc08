"""JSON-protocol calls (DynamoDB, DynamoDB Streams, CloudWatch Logs, SQS) straight to moto's app for the service.

moto's DomainDispatcherApplication works out the service of every request under one global lock,
scanning moto's module list and its URL patterns; for the pipeline's hot calls (PutItem,
UpdateItem, PutLogEvents) that costs about a fifth of the request. These calls name their
operation in X-Amz-Target, and no overlay acts on them, so they go straight to the same Flask
app the dispatcher would pick (built the same way, by the dispatcher's own `create_app`).

Inside that app, Flask's request context, routing and response finalising cost about 0.5 ms of a
1.3 ms PutItem, around a single view: these protocols always POST to "/". So the view behind "/"
is called directly, the way moto's own Flask view calls it (`convert_to_flask_response`). The app's
one after-request hook (flask-cors) adds `Access-Control-Allow-Origin: *` to every answer, so that
header is added too; a request with an Origin header, which may get more CORS headers, still goes
through the app.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

# X-Amz-Target prefix -> moto service (the dispatcher's app_instances key)
SERVICE_BY_TARGET_PREFIX = {
    "DynamoDB_20120810": "dynamodb",
    "DynamoDBStreams_20120810": "dynamodbstreams",
    "Logs_20140328": "logs",
    "AmazonSQS": "sqs",
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

    def __init__(self, dispatcher: Any, on_table_write: Callable[[], None] | None = None,
                 services: frozenset[str] = frozenset(SERVICE_BY_TARGET_PREFIX.values()),
                 leave_to_overlays: frozenset[str] = frozenset()):
        self._dispatcher = dispatcher  # moto's DomainDispatcherApplication (owns app_instances)
        self._services = services  # those this app serves itself (DynamoDB may live in the table process)
        self._on_table_write = on_table_write
        self._leave_to_overlays = leave_to_overlays  # operations an overlay must see (the limit rules)
        self._views: dict[str, Any] = {}  # service -> moto's handler behind the app's "/" rule

    def _root_view(self, service: str, app: Any) -> Any:
        from webhookctl.localcloud.moto_bridge.guard import decide

        view = self._views.get(service)
        if view is None and decide("call_json_views_directly"):
            rule = next((r for r in app.url_map.iter_rules() if r.rule == "/"), None)
            view = app.view_functions[rule.endpoint].callback if rule is not None else None
            if view is not None:
                self._views[service] = view
        return view

    def serve(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes] | None:
        """moto's answer, or None when the request is not one of these calls."""
        found = target_of(environ)
        if found is None:
            return None
        service, operation = found
        if service not in self._services or operation in self._leave_to_overlays:
            return None
        app = self._dispatcher.app_instances.get(service)
        if app is None:
            with self._dispatcher.lock:
                app = self._dispatcher.app_instances.get(service)
                if app is None:
                    app = self._dispatcher.app_instances[service] = self._dispatcher.create_app(service)
        view = None if "HTTP_ORIGIN" in environ else self._root_view(service, app)
        body = app(environ, start_response) if view is None else _call_view(app, view, environ, start_response)
        if self._on_table_write is not None and service == "dynamodb" and operation in TABLE_WRITES:
            self._on_table_write()  # Flask has run the call by now: its records are in the shard
        return body


def _call_view(app: Any, view: Callable, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """What moto's Flask view does for one request, without the Flask request around it."""
    from botocore.exceptions import ClientError
    from flask import Response
    from moto.core.utils import normalize_request
    from moto.moto_api import recorder
    from moto.moto_server.werkzeug_app import DISABLE_GLOBAL_CORS

    request = normalize_request(app.request_class(environ))
    try:
        recorder._record_request(request)
        result = view(request, request.raw_url, dict(request.headers))
    except ClientError as exc:
        result = 400, {}, exc.response["Error"]["Message"]
    status, headers, content = result if len(result) == 3 else (200, {}, result)
    response = Response(response=content, status=status, headers=headers)
    if not DISABLE_GLOBAL_CORS:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response(environ, start_response)
