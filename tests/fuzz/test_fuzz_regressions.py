"""Inputs the fuzzers found that once escaped verify() as something other than a WebhookError."""

from __future__ import annotations

import json

import http.server

import pytest

import webhook_signatures as ws
from tests.fuzz.local_http import serving
from tests.fuzz.receiver_harness import proxy_event
from tests.fuzz.signing_material import SIGNED_AT, provider_of
from webhook_signatures import paypal, paypal_certificates

LONE_SURROGATE = "\ud800"  # a str can hold one; UTF-8 cannot encode it


@pytest.mark.parametrize(("variant", "headers", "body"), [
    # str.isdigit() is true for "²", int() refuses it: ValueError escaped the timestamp parsers.
    pytest.param("stripe", {"Stripe-Signature": "t=²,v1=00"}, b"{}", id="stripe-superscript-t"),
    pytest.param("standardwebhooks", {"webhook-id": "m", "webhook-timestamp": "²", "webhook-signature": "v1,AA=="},
                 b"{}", id="standardwebhooks-superscript-timestamp"),
    pytest.param("svix", {"svix-id": "m", "svix-timestamp": "¹²", "svix-signature": "v1,AA=="}, b"{}",
                 id="svix-superscript-timestamp"),
    # Deeply nested JSON raised RecursionError; Adyen parses the body before any signature is checked.
    pytest.param("adyen", {}, b"[" * 100_000, id="adyen-deep-list"),
    pytest.param("adyen", {}, b'{"a":' * 40_000 + b"1" + b"}" * 40_000, id="adyen-deep-object"),
    # Lone surrogates raised UnicodeEncodeError when encoding header values for comparison or signing.
    pytest.param("shopify", {"X-Shopify-Hmac-Sha256": LONE_SURROGATE}, b"{}", id="shopify-surrogate"),
    pytest.param("square", {"x-square-hmacsha256-signature": "a" + LONE_SURROGATE}, b"{}", id="square-surrogate"),
    pytest.param("github", {"X-Hub-Signature-256": "sha256=" + LONE_SURROGATE}, b"{}", id="github-surrogate"),
    pytest.param("stripe", {"Stripe-Signature": f"t={SIGNED_AT},v1={LONE_SURROGATE}"}, b"{}", id="stripe-surrogate"),
    pytest.param("adyen-payload", {"HmacSignature": LONE_SURROGATE}, b"{}", id="adyen-surrogate"),
    pytest.param("standardwebhooks", {"webhook-id": LONE_SURROGATE, "webhook-timestamp": str(SIGNED_AT),
                                      "webhook-signature": "v1,AA=="}, b"{}", id="standardwebhooks-surrogate-id"),
    pytest.param("paypal", {"PAYPAL-TRANSMISSION-ID": LONE_SURROGATE, "PAYPAL-TRANSMISSION-TIME": "2024-01-01T00:00:00Z",
                            "PAYPAL-TRANSMISSION-SIG": "AAAA"}, b"{}", id="paypal-surrogate-id"),
])
def test_hostile_input_is_refused_as_not_authentic(configs, variant, headers, body):
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider_of(variant), headers, body, configs[variant], now=SIGNED_AT)


@pytest.mark.parametrize("variant", ["stripe", "square", "paypal", "standardwebhooks"])
def test_signed_deeply_nested_body_is_malformed_not_a_crash(configs, variant):
    body = b"[" * 100_000
    delivery = ws.sign(provider_of(variant), body, configs[variant], at=SIGNED_AT)
    with pytest.raises(ws.MalformedBody):
        ws.verify(provider_of(variant), delivery.headers, delivery.body, configs[variant], now=SIGNED_AT)


def test_signing_a_deeply_nested_adyen_body_uses_the_payload_header(configs):
    delivery = ws.sign("adyen", b"[" * 100_000, configs["adyen"], at=SIGNED_AT)
    assert "HmacSignature" in delivery.headers


@pytest.mark.parametrize("url", [
    "https://api.paypal.com/certs/a b",
    "https://api.paypal.com/certs/a\x7fb",
    "https://api.paypal.com/certs/\u00e9",
    "https://api.paypal.com/certs?q=\u00e9",
], ids=["space", "del", "non-ascii-path", "non-ascii-query"])
def test_cert_urls_http_client_cannot_send_are_refused(configs, url):
    """These passed the URL check, then http.client raised ValueError (InvalidURL, UnicodeEncodeError)."""
    headers = {**ws.sign("paypal", b"{}", configs["paypal"]).headers, paypal.CERT_URL: url}
    with pytest.raises(ws.SignatureInvalid, match="certificate URL"):
        ws.verify("paypal", headers, b"{}", configs["paypal"]._replace(certificates=()))  # the real fetcher


def test_a_server_that_does_not_speak_http_is_a_fetch_failure():
    """http.client.BadStatusLine is neither URLError nor OSError: it escaped the default fetcher."""
    def answer(request: http.server.BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"NOT-HTTP\r\n\r\n")

    with serving(answer) as (base, _):
        with pytest.raises(ws.SignatureInvalid, match="could not be fetched"):
            paypal_certificates.urllib_fetcher(base + "/cert")


@pytest.mark.parametrize("event", [
    {"headers": b"\x00"},
    {"multiValueHeaders": b"\x00"},
    {"multiValueHeaders": {"Stripe-Signature": 7}},
    {"pathParameters": "stripe"},
    {"requestContext": "x"},
    {"requestContext": {"identity": []}},
    {"pathParameters": {"provider": "stripe"}, "headers": {"Stripe-Signature": 5}},
    {"pathParameters": {"provider": "stripe"}, "body": 5},  # bytes(5) made five zero bytes of a number
    {"pathParameters": {"provider": "stripe"}, "body": [1, 2]},
    {"pathParameters": {"provider": ["stripe"]}},
    {"path": 5},
], ids=repr)
def test_proxy_events_of_the_wrong_shape_are_400(receiver, event):
    """Each raised TypeError or AttributeError in parse_proxy_event: the function failed, API Gateway said 502."""
    assert receiver.answer(event)["statusCode"] in (400, 404)


def test_a_signed_delivery_with_an_overlong_event_id_is_not_a_5xx(receiver, configs):
    """A validly signed GitHub delivery whose X-GitHub-Delivery is 3000 characters is keyed by the id's
    digest (DynamoDB refuses keys over 2048 bytes), rather than answering 503 for ever."""
    signed = ws.sign("github", b"{}", configs["github"], msg_id="d" * 3000)
    event = proxy_event("github", signed.headers, signed.body, "text", False)
    first = receiver.answer(event)
    assert first["statusCode"] == 200
    assert json.loads(first["body"])["event_key"].startswith("github#sha256:")
    again = receiver.answer(event)
    assert again["statusCode"] == 200 and json.loads(again["body"]).get("duplicate") is True
