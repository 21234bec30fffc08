"""The listener's guards: strict Content-Length framing, and a deadline for each request to arrive."""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

import pytest

from tests.localcloud.conftest import free_port

DEADLINE_S = 1.0


class CountingApp:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ, start_response):
        self.bodies.append(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


@pytest.fixture
def listener() -> Iterator[tuple[int, CountingApp]]:
    from webhookctl.localcloud.server import HttpServer

    app = CountingApp()
    server = HttpServer("127.0.0.1", free_port(), app, threads=4, request_deadline_s=DEADLINE_S)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port, app
    finally:
        server.shutdown()


def _send(port: int, raw: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        return _status_line(sock)


def _status_line(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(256)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n")[0]


def _post(length_headers: bytes, body: bytes = b'{"a":1}') -> bytes:
    return b"POST /x HTTP/1.1\r\nHost: local\r\n" + length_headers + b"\r\n" + body


@pytest.mark.parametrize(
    "length_headers",
    [b"Content-Length: -5\r\n", b"Content-Length: 7\r\nContent-Length: 9\r\n", b"Content-Length: +7\r\n", b"Content-Length: 0x7\r\n"],
    ids=["negative", "conflicting", "signed", "hex"],
)
def test_malformed_or_conflicting_content_length_is_400_and_never_served(listener, length_headers):
    port, app = listener
    assert _send(port, _post(length_headers)).startswith(b"HTTP/1.1 400")
    assert app.bodies == []


def test_repeated_identical_content_length_is_accepted(listener):
    port, app = listener
    assert _send(port, _post(b"Content-Length: 7\r\nContent-Length: 7\r\n")).startswith(b"HTTP/1.1 200")
    assert app.bodies == [b'{"a":1}']


def test_a_body_that_stops_arriving_is_408_at_the_deadline_and_never_served(listener):
    port, app = listener
    began = time.monotonic()
    answer = _send(port, _post(b"Content-Length: 100\r\n", b'{"partial":'), timeout=DEADLINE_S * 10)
    assert answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - began < DEADLINE_S * 5  # the socket timeout (60 s) would be far later
    assert app.bodies == []


def test_headers_that_stop_arriving_are_cut_off_at_the_deadline(listener):
    port, _ = listener
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S * 10) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: lo")
        began = time.monotonic()
        assert _status_line(sock) in (b"HTTP/1.1 408 Request Timeout", b"")
        assert time.monotonic() - began < DEADLINE_S * 5


def test_stalled_clients_filling_every_thread_are_freed_by_the_deadline(listener):
    port, app = listener
    # More than the 4 threads, and within the accept queue (8) even before any thread has taken one.
    stalled = [socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S * 10) for _ in range(6)]
    try:
        for sock in stalled:
            sock.sendall(_post(b"Content-Length: 100\r\n", b"{"))
        answer = _send(port, _post(b"Content-Length: 7\r\n"), timeout=DEADLINE_S * 10)
        assert answer.startswith(b"HTTP/1.1 200")
        assert app.bodies == [b'{"a":1}']
        assert all(_status_line(sock).startswith(b"HTTP/1.1 408") for sock in stalled)
    finally:
        for sock in stalled:
            sock.close()


def test_keep_alive_requests_each_get_their_own_deadline(listener):
    port, app = listener
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S * 10) as sock:
        for _ in range(3):
            sock.sendall(_post(b"Content-Length: 7\r\n"))
            answer = b""
            while not answer.endswith(b"0\r\n\r\n"):  # the whole chunked answer, so the next read starts afresh
                answer += sock.recv(4096)
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(DEADLINE_S * 0.7)  # idle between requests counts against no deadline
    assert len(app.bodies) == 3
