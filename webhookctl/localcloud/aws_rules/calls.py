"""One AWS API call as the limit rules see it, read from any of the wire protocols, and AWS's error shapes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Container
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.overlay_chain import request_region, request_service

# REST-JSON operations the rules look at: (service, method, path pattern, operation).
REST_OPERATIONS: list[tuple[str, str, re.Pattern[str], str]] = [
    ("lambda", "POST", re.compile(r"^/2015-03-31/functions/?$"), "CreateFunction"),
    ("lambda", "PUT", re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/configuration/?$"), "UpdateFunctionConfiguration"),
    ("lambda", "PUT", re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/code/?$"), "UpdateFunctionCode"),
    ("lambda", "POST", re.compile(r"^/2018-10-31/layers/(?P<layer>[^/]+)/versions/?$"), "PublishLayerVersion"),
    ("lambda", "POST", re.compile(r"^/2017-03-31/tags/(?P<arn>.+)$"), "TagResource"),
    ("apigateway", "POST", re.compile(r"^/restapis/?$"), "CreateRestApi"),
    ("apigateway", "POST", re.compile(r"^/restapis/(?P<api>[^/]+)/stages/?$"), "CreateStage"),
    ("apigateway", "PATCH", re.compile(r"^/restapis/(?P<api>[^/]+)/stages/(?P<stage>[^/]+)/?$"), "UpdateStage"),
]
QUERY_SERVICES = frozenset({"iam", "sns", "sqs"})


class Refusal(Exception):
    """AWS refuses the call: its error code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    protocol: str  # rest-json | json | query
    region: str
    account: str
    body_bytes: int
    path_args: dict[str, str] = field(default_factory=dict)

    def list_param(self, prefix: str) -> list[dict[str, str]]:
        """Query-protocol lists ('Tags.member.1.Key' = ...) as a list of dicts."""
        items: dict[int, dict[str, str]] = {}
        pattern = re.compile(rf"^{re.escape(prefix)}\.(?:member\.)?(\d+)(?:\.(\w+))?$")
        for key, value in self.params.items():
            match = pattern.match(key)
            if match:
                items.setdefault(int(match.group(1)), {})[match.group(2) or ""] = value
        return [items[index] for index in sorted(items)]


def read_call(request: Request, wanted: Container[tuple[str, str]]) -> Call | None:
    """The call, when (service, operation) is `wanted`; the body is parsed only then."""
    service = request_service(request)
    if service is None:
        return None
    target = request.headers.get("X-Amz-Target")
    if target:
        operation = target.rpartition(".")[2]
        return _call(request, service, operation, "json", _json_body(request)) if (service, operation) in wanted else None
    if service in QUERY_SERVICES and request.method == "POST":
        form = request.form.to_dict()
        operation = form.get("Action", "")
        return _call(request, service, operation, "query", form) if (service, operation) in wanted else None
    for rest_service, method, pattern, operation in REST_OPERATIONS:
        if rest_service == service and request.method == method:
            match = pattern.match(request.path)
            if match and (service, operation) in wanted:
                return _call(request, service, operation, "rest-json", _json_body(request), match.groupdict())
    return None


def _call(request: Request, service: str, operation: str, protocol: str, params: dict[str, Any],
          path_args: dict[str, str] | None = None) -> Call:
    from webhookctl.localcloud.lambda_runtime.lambda_api_overlay import request_account

    return Call(service, operation, params, protocol, request_region(request), request_account(request),
                request.content_length or 0, path_args or {})


def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def refusal_response(call: Call, refusal: Refusal) -> Response:
    """The error as the service's protocol writes it, so botocore reads AWS's code and message."""
    if call.protocol == "query":
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{escape(refusal.code)}</Code><Message>{escape(refusal.message)}</Message>"
            "</Error><RequestId>webhookctl-local</RequestId></ErrorResponse>"
        )
        return Response(body, status=refusal.status, content_type="text/xml")
    if call.protocol == "json":
        document = {"__type": refusal.code, "message": refusal.message}
        headers = {"x-amzn-query-error": f"{refusal.code};Sender"} if call.service == "sqs" else {}
        return Response(json.dumps(document), status=refusal.status, headers=headers, content_type="application/x-amz-json-1.0")
    document = {"Type": "User", "Message": refusal.message, "message": refusal.message}
    return Response(json.dumps(document), status=refusal.status, headers={"X-Amzn-ErrorType": refusal.code}, content_type="application/json")
