"""The overlay protocol: a request hook that runs in front of moto's WSGI app.

The local cloud's server passes every request through a chain of overlays
before moto sees it. An overlay either answers the request itself, post-processes
moto's answer (by calling `forward`), or returns None to pass it on.
"""

from __future__ import annotations

import re
from typing import Callable, Protocol

from werkzeug.wrappers import Request, Response

Forward = Callable[[Request], Response]

# "Credential=AKID/20240101/us-east-1/dynamodb/aws4_request"
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


class Overlay(Protocol):
    def handle(self, request: Request, forward: Forward) -> Response | None:
        """Answer `request`, or return None to pass it to the next overlay (and finally moto)."""


def request_service(request: Request) -> str | None:
    """The AWS service a SigV4-signed request is addressed to (e.g. "lambda"), or None."""
    scope = _CREDENTIAL_SCOPE.search(request.headers.get("Authorization", ""))
    return scope.group(2) if scope else None


def request_region(request: Request, default: str = "us-east-1") -> str:
    """The region from the SigV4 credential scope (moto's own rule), else `default`."""
    scope = _CREDENTIAL_SCOPE.search(request.headers.get("Authorization", ""))
    return scope.group(1) if scope else default


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    """A JSON response as AWS's REST-JSON services write it."""
    import json

    return Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")
