"""Guards on the local cloud's HTTP listener: strict framing, and a deadline for each request to arrive.

A worker thread reads a request's headers and body. Without a deadline, a client that sends part of a
body holds that thread for the whole socket timeout, and enough such clients starve every caller,
webhookctl's own commands included. API Gateway likewise answers a request that does not arrive in time
with 408 and closes the connection.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from typing import Any, Callable, Iterable

from cheroot import server as cheroot_server

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: 34\r\n"
    b"Connection: close\r\n\r\n{\"message\": \"Request Timeout\"}\r\n\r\n"
)
_current = threading.local()


class RequestDeadlines:
    """One watchdog thread for every connection: a request not read in time is answered 408 and cut off."""

    def __init__(self, seconds: float, tick_s: float = 0.25):
        self.seconds = seconds
        self._tick_s = tick_s
        self._pending: dict[int, tuple[float, socket.socket]] = {}
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="request-deadlines", daemon=True)
        self._thread.start()

    def start(self, sock: socket.socket) -> None:
        self._pending[threading.get_ident()] = (time.monotonic() + self.seconds, sock)

    def finish(self) -> None:
        self._pending.pop(threading.get_ident(), None)

    def stop(self) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        while not self._stopped.wait(self._tick_s):
            now = time.monotonic()
            for ident, (deadline, sock) in list(self._pending.items()):
                if deadline <= now and self._pending.get(ident, (None,))[0] == deadline:
                    self._pending.pop(ident, None)
                    _cut_off(sock)


def _cut_off(sock: socket.socket) -> None:
    try:
        sock.sendall(_TIMEOUT_RESPONSE)
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)  # the worker blocked in recv() wakes with end-of-stream
    except OSError:
        pass


class StrictHeaderReader(cheroot_server.HeaderReader):
    """cheroot's header reader, refusing the framing that request smuggling relies on (RFC 9112 §6.3)."""

    def __call__(self, rfile: Any, hdict: dict | None = None) -> dict:
        lengths: list[bytes] = []
        headers = super().__call__(_LengthRecorder(rfile, lengths), hdict)
        if len(set(lengths)) > 1:
            raise ValueError("Conflicting Content-Length headers.")
        if lengths and not lengths[0].isdigit():
            raise ValueError("Malformed Content-Length Header.")
        return headers


class _LengthRecorder:
    """Passes header lines through, noting every Content-Length value seen."""

    def __init__(self, rfile: Any, lengths: list[bytes]):
        self._rfile = rfile
        self._lengths = lengths

    def readline(self, *args: Any) -> bytes:
        line = self._rfile.readline(*args)
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            self._lengths.append(value.strip())
        return line


class GuardedRequest(cheroot_server.HTTPRequest):
    header_reader = StrictHeaderReader()


def guarded_connection_class(deadlines: RequestDeadlines) -> type:
    """An HTTPConnection whose requests must arrive within the deadline, and are parsed strictly."""

    class GuardedConnection(cheroot_server.HTTPConnection):
        RequestHandlerClass = GuardedRequest

        def communicate(self) -> bool:
            deadlines.start(self.socket)
            _current.deadlines = deadlines
            try:
                return super().communicate()
            finally:
                deadlines.finish()

    return GuardedConnection


def read_whole_request(app: Callable) -> Callable:
    """WSGI middleware: the body is read in full (under the deadline) before the app sees the request.

    A body cut short by the deadline never reaches the app: a truncated webhook is not a webhook.
    """

    def guarded(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        expected = environ.get("CONTENT_LENGTH") or ""
        stream = environ["wsgi.input"]
        body = stream.read(int(expected)) if expected.isdigit() else stream.read()
        deadlines = getattr(_current, "deadlines", None)
        if deadlines is not None:
            deadlines.finish()
        if expected.isdigit() and len(body) < int(expected):
            start_response("408 Request Timeout", [("Content-Type", "application/json"), ("Connection", "close")])
            return [b'{"message": "Request Timeout"}']
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return guarded
