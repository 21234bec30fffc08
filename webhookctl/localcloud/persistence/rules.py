"""Which kind of change each request makes (see persistence.requests.Kind)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from webhookctl.localcloud.moto_bridge.json_routes import TABLE_WRITES
from webhookctl.localcloud.persistence.requests import Kind, read_body

# Operations that change nothing (moto may count or cache, but nothing worth saving).
_READS = re.compile(
    r"^(Get|List|Describe|Filter|Query|Scan|BatchGet|Lookup|Search|Test|Decrypt|Encrypt|GenerateDataKey|"
    r"GenerateRandom|GenerateMac|VerifyMac|Sign|Verify|Validate|Simulate|Check|Estimate|ReEncrypt|Tail|StartLiveTail)")
# Changes whose effects the moto bridge journals itself (moto_bridge.state.hook_effects).
EFFECT_OPERATIONS = frozenset({
    "PutLogEvents", "CreateLogStream",
    "SendMessage", "SendMessageBatch", "DeleteMessage", "DeleteMessageBatch", "ReceiveMessage",
    "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "PurgeQueue",
})
_TABLE_TARGETS = ("DynamoDB_20120810.", "DynamoDBStreams_20120810.")
_INVOCATION = re.compile(r"^/20\d\d-\d\d-\d\d/functions/[^/]+/(invocations|invoke-async)/?$")


def operation(environ: dict[str, Any]) -> str | None:
    """The API operation of a JSON-protocol (X-Amz-Target) or query-protocol (Action=) request."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rpartition(".")[2] or None
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][-1]
    if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        form = parse_qs(read_body(environ).decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][-1]
    return None


def _by_operation(environ: dict[str, Any], name: str | None) -> Kind:
    if name is None:  # REST protocols (Lambda, API Gateway): GET and HEAD read
        return Kind.PASS if environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS") else Kind.CHANGE
    if name in EFFECT_OPERATIONS:
        return Kind.EFFECTS
    return Kind.PASS if _READS.match(name) else Kind.CHANGE


def table_kind(environ: dict[str, Any]) -> Kind:
    """DynamoDB: item writes are journaled as requests; table changes wait for a snapshot."""
    name = operation(environ)
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDBStreams_20120810."):
        return Kind.PASS  # stream reads (iterators are not saved)
    if name in TABLE_WRITES:
        return Kind.REQUEST
    return _by_operation(environ, name)


def table_process_kind(environ: dict[str, Any]) -> Kind:
    if environ.get("PATH_INFO", "/").startswith("/_webhookctl/"):
        return Kind.PASS
    return table_kind(environ)


def server_kind(tables_elsewhere: bool):
    """The rule for the server's requests; DynamoDB's are the table process's when it runs."""
    def kind(environ: dict[str, Any]) -> Kind:
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/_webhookctl/") or "/_user_request_/" in path or _INVOCATION.match(path):
            return Kind.PASS  # the data plane and Invoke change nothing here; the calls they make do
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(_TABLE_TARGETS):
            return Kind.PASS if tables_elsewhere else table_kind(environ)
        return _by_operation(environ, operation(environ))

    return kind
