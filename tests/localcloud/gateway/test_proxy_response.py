import base64
import json

import pytest

from webhookctl.localcloud.gateway.proxy_response import MalformedResponse, map_response


def answer(**fields):
    return json.dumps(fields).encode()


def test_status_headers_and_body():
    mapped = map_response(answer(statusCode=201, headers={"X-A": "1", "Set-Cookie": "ignored"}, multiValueHeaders={"Set-Cookie": ["a=1", "b=2"]}, body='{"ok": true}'))
    assert mapped.status == 201
    assert ("X-A", "1") in mapped.headers
    assert [v for k, v in mapped.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert mapped.body == b'{"ok": true}'
    assert ("Content-Type", "application/json") in mapped.headers


def test_base64_body_is_decoded():
    mapped = map_response(answer(statusCode=200, body=base64.b64encode(b"\x00\x01").decode(), isBase64Encoded=True, headers={"Content-Type": "application/octet-stream"}))
    assert mapped.body == b"\x00\x01"
    assert ("Content-Type", "application/octet-stream") in mapped.headers


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        answer(statusCode="teapot"),
        answer(statusCode=200, body={"not": "a string"}),
        answer(statusCode=200, headers=["x"]),
        answer(statusCode=200, unexpected=True),
        answer(statusCode=99),
        answer(statusCode=200, headers={"X": {"nested": 1}}),
    ],
)
def test_malformed_results_are_refused(payload):
    with pytest.raises(MalformedResponse):
        map_response(payload)


def test_missing_status_defaults_to_200_and_empty_body():
    mapped = map_response(b"{}")
    assert mapped.status == 200 and mapped.body == b""
