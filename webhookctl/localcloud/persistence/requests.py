"""DurableApp: the WSGI layer that journals or snapshots each change a request makes.

Each request gets a kind from a rule: PASS (reads, and requests that change nothing here
themselves), REQUEST (redone from the journal: DynamoDB item writes, which are exact on replay),
EFFECTS (hooks journal what moto stores: log events, queue messages) or CHANGE (anything else:
answered once a snapshot holding it is on disk, as a replay could not give back the same ids).
"""

from __future__ import annotations

import enum
import io
import threading
from typing import Any, Callable, Iterable

from webhookctl.localcloud.persistence.durable import DurableState


class Kind(enum.Enum):
    PASS = "pass"
    REQUEST = "request"
    EFFECTS = "effects"
    CHANGE = "change"


Classify = Callable[[dict[str, Any]], Kind]
# What a replayed request needs of its environ: moto reads the account and region from the headers.
_KEPT = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE")


class DurableApp:
    def __init__(self, app: Callable, state: DurableState, classify: Classify):
        self.app = app
        self.state = state
        self.classify = classify
        self._ordered = threading.Lock()  # item writes are journaled in the order they were applied

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # the wrapped app's own attributes (LocalCloudApp.backend, ...)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        kind = self.classify(environ)
        if kind is Kind.PASS:
            return self.app(environ, start_response)
        status: list[str] = []

        def started(line: str, headers: list, exc_info: Any = None) -> Any:
            status.append(line)
            return start_response(line, headers, exc_info) if exc_info else start_response(line, headers)

        if kind is Kind.REQUEST:
            body = read_body(environ)
            with self.state.guard(), self._ordered:
                answer = list(self.app(environ, started))
                if status and status[0][:1] == "2":
                    self.state.record(("request", captured(environ, body)))
            return answer
        with self.state.guard():
            answer = list(self.app(environ, started))
        if kind is Kind.CHANGE and status and status[0][:1] in "23":
            self.state.snapshot(wait=True)
        return answer


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body, left readable for the app."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def captured(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    kept = {key: value for key, value in environ.items() if key.startswith("HTTP_") or key in _KEPT}
    return {"environ": kept, "body": body}


def replay(app: Callable, request: dict[str, Any]) -> str:
    """Run a journaled request through `app` again; returns the status line."""
    body = request["body"]
    environ = {
        "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "SCRIPT_NAME": "",
        "CONTENT_LENGTH": str(len(body)), **request["environ"],
    }
    status: list[str] = []
    for _ in app(environ, lambda line, headers, exc_info=None: status.append(line)):
        pass
    return status[0] if status else "500 no answer"
