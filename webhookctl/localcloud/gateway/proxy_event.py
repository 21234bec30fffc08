"""The Lambda proxy integration event (payload format 1.0) that API Gateway REST APIs send."""

from __future__ import annotations

import base64
import fnmatch
import os
import time
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class IncomingRequest:
    """What the data plane saw on the wire, independent of the WSGI server."""

    method: str
    path: str  # the path after /_user_request_, starting with "/"
    headers: list[tuple[str, str]]  # in arrival order, repeated names kept
    query: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str


@dataclass(frozen=True)
class StageContext:
    api_id: str
    stage: str
    account_id: str
    resource_path: str
    path_parameters: dict[str, str]
    stage_variables: dict[str, str]
    binary_media_types: tuple[str, ...] = ()


def new_trace_id(now: float | None = None) -> str:
    """An X-Ray trace id: Root=1-{epoch hex}-{96 random bits}."""
    epoch = int(now if now is not None else time.time())
    return f"Root=1-{epoch:08x}-{os.urandom(12).hex()}"


def is_binary(content_type: str | None, binary_media_types: tuple[str, ...]) -> bool:
    if not content_type or not binary_media_types:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatch(media_type, pattern.lower()) for pattern in binary_media_types)


def build_event(request: IncomingRequest, stage: StageContext, *, request_id: str | None = None, now: float | None = None) -> dict:
    """The v1 proxy event for `request`, as API Gateway builds it for an AWS_PROXY integration."""
    now = time.time() if now is None else now
    headers, multi_headers = _single_and_multi(request.headers)  # single-value form: the last one wins, as on AWS
    query, multi_query = _single_and_multi(request.query)
    body, encoded = _event_body(request, stage)
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": stage.resource_path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": stage.path_parameters or None,
        "stageVariables": stage.stage_variables or None,
        "requestContext": _request_context(request, stage, request_id, now, headers),
        "body": body,
        "isBase64Encoded": encoded,
    }


def _single_and_multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The single-value map (the last value of a name wins) and the multi-value map, in arrival order."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
        single[name] = value
    return single, multi


def _event_body(request: IncomingRequest, stage: StageContext) -> tuple[str | None, bool]:
    """The body as the event carries it, and whether it is base64-encoded."""
    if not request.body:
        return None, False
    if is_binary(_find(request.headers, "content-type"), stage.binary_media_types):
        return base64.b64encode(request.body).decode("ascii"), True
    try:
        return request.body.decode("utf-8"), False
    except UnicodeDecodeError:  # not text and no binary media type: pass it on intact
        return base64.b64encode(request.body).decode("ascii"), True


def _request_context(request: IncomingRequest, stage: StageContext, request_id: str, now: float, headers: dict[str, str]) -> dict:
    return {
        "resourceId": "",
        "resourcePath": stage.resource_path,
        "httpMethod": request.method,
        "extendedRequestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "path": f"/{stage.stage}{request.path}",
        "accountId": stage.account_id,
        "protocol": "HTTP/1.1",
        "stage": stage.stage,
        "domainPrefix": stage.api_id,
        "requestTimeEpoch": int(now * 1000),
        "requestId": request_id,
        "identity": _identity(request, headers),
        "domainName": request.host,
        "apiId": stage.api_id,
    }


def _identity(request: IncomingRequest, headers: dict[str, str]) -> dict:
    return {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "sourceIp": request.source_ip,
        "principalOrgId": None,
        "accessKey": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": headers.get("User-Agent") or _find(request.headers, "user-agent"),
        "user": None,
    }


def _find(headers: list[tuple[str, str]], lower_name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == lower_name), None)
