"""Secret material: generation for every provider, rotation, validation and fingerprints."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import webhook_signatures as ws
from signed_bodies import body_for
from webhook_signatures import material

SETTINGS = {"square": {"notification_url": "https://example.com/webhook/square"}}


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_generated_material_signs_and_verifies(provider):
    entry = material.generate(provider)
    for secret in entry.get("secrets", []):
        material.validate_secret(provider, secret)
    config = material.provider_config(provider, entry, SETTINGS.get(provider))
    signed = ws.sign(provider, body_for(provider, "evt_1", "t"), config)
    assert ws.verify(provider, signed.headers, signed.body, config).event_id


def test_generated_material_is_random_and_in_the_providers_form():
    assert material.generate("stripe")["secrets"][0].startswith("whsec_")
    assert material.generate("svix")["secrets"][0].startswith("whsec_")
    assert material.generate("standardwebhooks")["secrets"][0].startswith("whsec_")
    assert len(bytes.fromhex(material.generate("adyen")["secrets"][0])) == 32
    assert material.generate("github") != material.generate("github")
    paypal = material.generate("paypal")
    assert set(paypal) == {"webhook_id", "certificates", "signing_key"}
    material.validate_secret("paypal", paypal["certificates"][0])
    material.validate_secret("paypal", paypal["signing_key"])
    material.validate_secret("paypal", paypal["webhook_id"])


@settings(max_examples=60, deadline=None)
@given(value=st.text(min_size=24, max_size=200))
def test_fingerprint_never_contains_the_value(value):
    shown = material.fingerprint(value)
    assert value not in shown and shown.startswith("sha256:")
    assert material.fingerprint(value) == shown


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_entry_fingerprints_show_no_secret(provider):
    entry = material.generate(provider)
    shown = json.dumps(material.entry_fingerprints(provider, entry))
    for value in [*entry.get("secrets", []), *entry.get("certificates", []), entry.get("signing_key") or "\x00"]:
        assert value not in shown


def test_set_secret_rotation_keeps_previous_and_caps_the_list():
    entry = {"secrets": ["whsec_old_one_123"]}
    rotated = material.set_secret(entry, "stripe", "whsec_new_one_456", keep_previous=True)
    assert rotated["secrets"] == ["whsec_new_one_456", "whsec_old_one_123"]
    assert entry == {"secrets": ["whsec_old_one_123"]}  # the input is not mutated
    replaced = material.set_secret(rotated, "stripe", "whsec_third_789", keep_previous=False)
    assert replaced["secrets"] == ["whsec_third_789"]
    for i in range(10):
        rotated = material.set_secret(rotated, "stripe", f"whsec_rotation_{i:04d}", keep_previous=True)
    assert len(rotated["secrets"]) == material.MAX_SECRETS and rotated["secrets"][0] == "whsec_rotation_0009"


def test_set_secret_paypal_forms():
    generated = material.generate("paypal")
    entry = material.set_secret(generated, "paypal", "5ABCDEF123", keep_previous=False)
    assert entry["webhook_id"] == "5ABCDEF123" and entry["certificates"] == generated["certificates"]
    other = material.generate("paypal")
    pinned = material.set_secret(generated, "paypal", other["certificates"][0], keep_previous=True)
    assert pinned["certificates"] == [other["certificates"][0], generated["certificates"][0]]
    assert pinned["signing_key"] == generated["signing_key"]
    replaced = material.set_secret(generated, "paypal", other["certificates"][0], keep_previous=False)
    assert replaced["certificates"] == [other["certificates"][0]] and "signing_key" not in replaced
    merged = material.set_secret({}, "paypal", json.dumps({"webhook_id": "W1", "certificates": other["certificates"]}), keep_previous=False)
    assert merged == {"webhook_id": "W1", "certificates": other["certificates"]}


BAD = [
    ("stripe", "sk_live_notawebhooksecret"),
    ("stripe", "whsec_short"),
    ("adyen", "not-hex-at-all-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
    ("adyen", "ABC"),
    ("svix", "whsec_!!!notbase64!!!"),
    ("svix", "secretwithoutprefix1234567890"),
    ("standardwebhooks", "whpk_" + "QUJD"),
    ("standardwebhooks", "whsk_" + "QUJD"),
    ("github", " leading-space-secret"),
    ("github", "line\nbreak-secret"),
    ("github", ""),
    ("paypal", "not a webhook id!"),
    ("paypal", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
    ("paypal", '{"unexpected": 1}'),
]


@pytest.mark.parametrize(("provider", "value"), BAD)
def test_validate_secret_rejects_without_echoing(provider, value):
    with pytest.raises(ValueError) as raised:
        material.validate_secret(provider, value)
    if value:
        assert value not in str(raised.value)


@pytest.mark.parametrize(("provider", "value"), [
    ("github", "It's a Secret to Everybody"),
    ("square", "Ibxx_5AKakO-3qeNVR61Dw"),
    ("adyen", "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"),
    ("standardwebhooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    ("stripe", "whsec_test_secret"),
])
def test_validate_secret_accepts_provider_forms(provider, value):
    material.validate_secret(provider, value)


def test_unknown_provider_is_a_value_error():
    with pytest.raises(ValueError, match="unknown provider"):
        material.generate("nope")


def test_document_round_trip_and_errors():
    document = {"stripe": material.generate("stripe")}
    assert material.load_document(material.dump_document(document)) == document
    assert material.load_document("") == {}
    with pytest.raises(ValueError):
        material.load_document("[1, 2]")
    with pytest.raises(ValueError):
        material.load_document("{nope")


def test_provider_config_merges_settings_and_entry():
    entry = material.generate("paypal")
    config = material.provider_config("paypal", entry, {"webhook_id": "FROMCONFIG", "certificates": ["PINNED"]})
    assert config.webhook_id == "FROMCONFIG"
    assert config.certificates == ("PINNED", *entry["certificates"])
    assert config.signing_key == entry["signing_key"]
    assert "BEGIN" not in repr(config)
    square = material.provider_config("square", {"secrets": ["a", "b"]}, SETTINGS["square"])
    assert square.secrets == ("a", "b") and square.notification_url == SETTINGS["square"]["notification_url"]
