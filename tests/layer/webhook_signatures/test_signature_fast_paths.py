"""The warm-path shortcuts give exactly the slow paths' answers: pre-lower-cased headers, JSON, HMAC."""

from __future__ import annotations

import codecs
import hashlib
import hmac
import json

import pytest

import webhook_signatures as ws
from signed_bodies import body_for
from webhook_signatures import hmac_sha256, material
from webhook_signatures.request import Request, _loads

AT = 1_700_000_000
SETTINGS = {"square": {"notification_url": "https://example.com/webhook/square"}}


@pytest.fixture(scope="module")
def configs(paypal_material):
    entries = {p: material.generate(p) for p in ws.PROVIDERS if p != "paypal"}
    entries["paypal"] = paypal_material
    return {p: material.provider_config(p, entries[p], SETTINGS.get(p)) for p in ws.PROVIDERS}


def _outcome(call):
    try:
        return "ok", call()
    except ws.WebhookError as error:
        return type(error).__name__, str(error)


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_lower_cased_headers_verify_exactly_like_the_headers_as_sent(configs, provider):
    signed = ws.sign(provider, body_for(provider, "evt_1", "payment.succeeded"), configs[provider], at=AT,
                     msg_id="msg_1")
    sent = {name.swapcase(): value for name, value in signed.headers.items()}
    forged = {name: value[:-2] + ("AA" if not value.endswith("AA") else "BB") for name, value in sent.items()}
    for headers in (sent, forged, {}):
        lowered = ws.lower_case_headers(headers)
        assert type(lowered) is ws.LowerCaseHeaders
        as_sent = _outcome(lambda: ws.verify(provider, headers, signed.body, configs[provider], now=AT))
        assert _outcome(lambda: ws.verify(provider, lowered, signed.body, configs[provider], now=AT)) == as_sent
    assert _outcome(lambda: ws.verify(provider, sent, signed.body, configs[provider], now=AT))[0] == "ok"


def test_lower_cased_headers_keep_the_later_of_two_names_like_request():
    headers = {"Stripe-Signature": "first", "X-Id": "1", "stripe-signature": "second"}
    expected = {"stripe-signature": "second", "x-id": "1"}
    assert ws.lower_case_headers(headers) == Request(headers, b"").headers == expected
    assert ws.lower_case_headers(None) == {}


def test_a_dict_subclass_that_is_not_lower_case_headers_is_still_lower_cased():
    class Headers(dict):
        pass

    assert Request(Headers({"X-A": "1"}), b"").headers == {"x-a": "1"}


@pytest.mark.parametrize("body", [
    b'{"id":"evt_1","type":"a"}', b"[1,2]", b"{", b"[", b"{}", b"{\x00", b'{"a":"\xed\xa0\x80"}', b'{"a":"\xff"}',
    b' {"a":1}', b'{"a":1} x', codecs.BOM_UTF8 + b"{}", '{"a":"é"}'.encode("utf-16-le"),
    '{"a":1}'.encode("utf-16"), '[1]'.encode("utf-32"), b"[" * 100_000, b"", b"1", b'"s"',
])
def test_body_json_is_read_exactly_as_json_loads_reads_it(body):
    def read(parse):
        try:
            return "ok", parse(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            return type(error).__name__

    assert read(_loads) == read(json.loads)


@pytest.mark.parametrize("key", [b"", b"k", b"whsec_" + b"x" * 40, b"y" * 200])
def test_hmac_matches_the_standard_library(key):
    parts = (b"1700000000.", b'{"id":"evt_1"}')
    assert hmac_sha256.digest(key, *parts) == hmac.new(key, b"".join(parts), hashlib.sha256).digest()
    assert hmac_sha256.hex_digest(key, *parts) == hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
