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
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        multi_headers.setdefault(name, []).append(value)
        headers[name] = value  # single-value form: the last one wins, as on AWS
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in request.query:
        multi_query.setdefault(name, []).append(value)
        query[name] = value

    content_type = next((v for k, v in request.headers if k.lower() == "content-type"), None)
    binary = is_binary(content_type, stage.binary_media_types)
    if not request.body:
        body, encoded = None, False
    elif binary:
        body, encoded = base64.b64encode(request.body).decode("ascii"), True
    else:
        try:
            body, encoded = request.body.decode("utf-8"), False
        except UnicodeDecodeError:  # not text and no binary media type: pass it on intact
            body, encoded = base64.b64encode(request.body).decode("ascii"), True

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
        "requestContext": {
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
            "identity": {
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
            },
            "domainName": request.host,
            "apiId": stage.api_id,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def _find(headers: list[tuple[str, str]], lower_name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == lower_name), None)
