"""The leak finder itself: it must catch every form a leaked secret takes, and never print the secret."""

from __future__ import annotations

import base64
import json

import pytest
from webhook_signatures import PROVIDERS, material

from tests.security.secret_forms import find_leaks, leak_forms, secret_values


@pytest.fixture(scope="module")
def document() -> dict:
    return {provider: material.generate(provider) for provider in PROVIDERS}


def test_every_secret_of_the_document_is_collected(document):
    values = secret_values(document)
    assert len(values) == len(PROVIDERS)  # one HMAC secret each, and paypal's signing key
    assert any("PRIVATE KEY" in v for v in values)
    assert document["paypal"]["webhook_id"] not in values  # public, sent in every PayPal delivery


def test_every_form_of_every_secret_is_found_embedded_in_text(document):
    for value in secret_values(document):
        for form, text in leak_forms(value).items():
            captured = {"log": f'{{"level": "INFO", "message": "x{text}y"}}'}
            leaks = find_leaks(captured, [value])
            assert any(leak.form == form for leak in leaks), form


def test_the_decoded_forms_of_keys_are_covered(document):
    stripe = document["stripe"]["secrets"][0]
    key = base64.b64decode(stripe.removeprefix("whsec_"))
    assert find_leaks({"out": "key=" + key.hex().upper()}, [stripe])
    adyen = document["adyen"]["secrets"][0]
    assert find_leaks({"out": adyen.lower()}, [adyen])
    assert find_leaks({"out": base64.b64encode(bytes.fromhex(adyen)).decode()}, [adyen])
    pem = document["paypal"]["signing_key"]
    assert find_leaks({"out": json.dumps({"key": pem})}, [pem])  # newlines escaped: found line by line


def test_unrelated_text_is_clean(document):
    text = json.dumps({p: material.entry_fingerprints(p, e) for p, e in document.items()})
    assert find_leaks({"secrets list": text}, secret_values(document)) == []


def test_a_report_never_shows_the_secret(document):
    value = document["github"]["secrets"][0]
    (leak, *_) = find_leaks({"stderr": f"bad secret {value}"}, [value])
    assert value not in str(leak) and leak.source == "stderr"
