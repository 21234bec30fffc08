"""Proxy parsing normalises headers once, for verification and for the stored item, with the old answers."""

from __future__ import annotations

import base64

import pytest


@pytest.fixture
def receiver_parts(load_handler):
    load_handler("webhook_receiver")
    import proxy_http
    import receive
    import webhook_signatures

    return proxy_http, receive, webhook_signatures


def test_lowered_headers_are_the_merged_headers_by_lower_case_name(receiver_parts):
    proxy_http, _, ws = receiver_parts
    event = {"path": "/webhook/stripe", "body": "{}",
             "headers": {"Stripe-Signature": "single", "X-Id": "1"},
             "multiValueHeaders": {"stripe-signature": ["a", "multi"], "X-Id": ["ignored"], "X-Only": ["m1", "m2"],
                                   "X-Empty": []}}
    request = proxy_http.parse_proxy_event(event)
    assert request.headers == {"Stripe-Signature": "single", "X-Id": "1", "stripe-signature": "multi", "X-Only": "m2"}
    assert type(request.lowered_headers) is ws.LowerCaseHeaders
    assert request.lowered_headers == ws.lower_case_headers(request.headers)
    assert request.lowered_headers == {"stripe-signature": "multi", "x-id": "1", "x-only": "m2"}
    assert event["headers"] == {"Stripe-Signature": "single", "X-Id": "1"}  # the event is left as it came


@pytest.mark.parametrize("event", [
    {"headers": {"X-A": 1}}, {"headers": {"X-A": "1"}, "multiValueHeaders": {"X-B": [None]}},
    {"headers": "x"}, {"multiValueHeaders": ["x"]},
])
def test_non_text_headers_are_still_a_bad_proxy_event(receiver_parts, event):
    proxy_http, _, _ = receiver_parts
    with pytest.raises(proxy_http.BadProxyEvent):
        proxy_http.parse_proxy_event({"path": "/webhook/stripe", **event})


@pytest.mark.parametrize(("event_body", "base64_encoded", "stored", "encoding"), [
    ('{"id":"évt"}', False, '{"id":"évt"}', None),
    ('{"id":"\ud800"}', False, base64.b64encode('{"id":"\ud800"}'.encode("utf-8", "surrogatepass")).decode(), "base64"),
    (base64.b64encode(b'{"id":"e"}').decode(), True, '{"id":"e"}', None),
    (base64.b64encode(b"\xff\xfe").decode(), True, "//4=", "base64"),
])
def test_stored_body_is_the_same_whether_or_not_the_event_text_is_reused(receiver_parts, event_body, base64_encoded,
                                                                       stored, encoding):
    proxy_http, receive, _ = receiver_parts
    request = proxy_http.parse_proxy_event({"path": "/webhook/stripe", "body": event_body,
                                            "isBase64Encoded": base64_encoded, "headers": {"User-Agent": "u"}})
    message = {"event_key": "stripe#e", "provider": "stripe", "event_id": "e", "event_type": "t"}
    item = receive.new_event_item(message, request, 1714564800.5, request.lowered_headers)
    assert item["body"] == stored and item.get("body_encoding") == encoding
    assert item["headers"] == {"user-agent": "u"}
    assert receive.new_event_item(message, request._replace(text=None, lowered_headers=None), 1714564800.5) == item


def test_event_keys_switch_to_a_digest_at_the_same_byte_length(receiver_parts):
    _, receive, _ = receiver_parts
    limit = receive.MAX_EVENT_KEY_BYTES
    fits = "e" * (limit - len("stripe#"))
    assert receive.event_key_for("stripe", fits) == "stripe#" + fits
    assert receive.event_key_for("stripe", fits + "e").startswith("stripe#sha256:")
    wide = "é" * ((limit - len("stripe#")) // 2)  # two bytes each: fits by bytes, not by a 4-byte bound
    assert receive.event_key_for("stripe", wide) == "stripe#" + wide
    assert receive.event_key_for("stripe", wide + "é").startswith("stripe#sha256:")
