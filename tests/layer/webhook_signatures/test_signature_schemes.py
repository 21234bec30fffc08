"""Scheme details: Adyen batches and payload HMAC, Standard Webhooks v1a keys, Svix header fallback."""

from __future__ import annotations

import base64
import json

import pytest

import webhook_signatures as ws
from webhook_signatures import adyen, material

AT = 1_700_000_000
KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"


def _item(psp: str, code: str = "AUTHORISATION") -> dict:
    return {"NotificationRequestItem": {"pspReference": psp, "merchantAccountCode": "M", "merchantReference": "r",
                                        "amount": {"currency": "EUR", "value": 100}, "eventCode": code, "success": "true"}}


def test_adyen_batch_checks_every_item():
    config = ws.ProviderConfig(secrets=(KEY,))
    body = json.dumps({"live": "false", "notificationItems": [_item("1"), _item("2", "CAPTURE")]}).encode()
    signed = ws.sign("adyen", body, config)
    assert signed.headers == {}
    delivery = ws.verify("adyen", {}, signed.body, config)
    assert delivery.event_id.startswith("batch:") and delivery.event_type == "AUTHORISATION,CAPTURE"
    document = json.loads(signed.body)
    document["notificationItems"][1]["NotificationRequestItem"]["amount"]["value"] = 1
    with pytest.raises(ws.SignatureInvalid, match="item 1"):
        ws.verify("adyen", {}, json.dumps(document).encode(), config)
    del document["notificationItems"][1]["NotificationRequestItem"]["additionalData"]
    with pytest.raises(ws.SignatureInvalid, match="item 1 has no hmacSignature"):
        ws.verify("adyen", {}, json.dumps(document).encode(), config)


def test_adyen_refuses_unsigned_or_non_json_bodies():
    config = ws.ProviderConfig(secrets=(KEY,))
    with pytest.raises(ws.SignatureInvalid):
        ws.verify("adyen", {}, b"not json", config)
    with pytest.raises(ws.SignatureInvalid):
        ws.verify("adyen", {}, json.dumps({"notificationItems": []}).encode(), config)


def test_adyen_payload_hmac_variant():
    config = ws.ProviderConfig(secrets=(KEY,))
    body = json.dumps({"type": "balancePlatform.accountHolder.created", "data": {"id": "AH1"}}).encode()
    signed = ws.sign("adyen", body, config)
    assert signed.body == body and set(signed.headers) == {"HmacSignature"}
    delivery = ws.verify("adyen", signed.headers, body, config)
    assert delivery.event_type == "balancePlatform.accountHolder.created"
    with pytest.raises(ws.SignatureInvalid):
        ws.verify("adyen", signed.headers, body + b" ", config)


def test_adyen_same_event_redelivered_dedupes():
    config = ws.ProviderConfig(secrets=(KEY,))
    body = json.dumps({"notificationItems": [_item("777")]}).encode()
    first = ws.verify("adyen", {}, ws.sign("adyen", body, config).body, config)
    assert first.event_id == "AUTHORISATION:777"


def test_adyen_signing_string_handles_missing_fields():
    assert adyen.signing_string({"pspReference": "p", "success": True}) == b"p:::::::true"


def _ed25519_pair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "whsk_" + base64.b64encode(seed + public).decode(), "whpk_" + base64.b64encode(public).decode()


@pytest.mark.parametrize("provider", ["standardwebhooks", "svix"])
def test_v1a_signed_with_whsk_verifies_with_whsk_and_whpk(provider):
    signing, public = _ed25519_pair()
    body = b'{"type": "user.created"}'
    signed = ws.sign(provider, body, ws.ProviderConfig(secrets=(signing,)), at=AT, msg_id="msg_a")
    assert signed.headers[f"{'svix' if provider == 'svix' else 'webhook'}-signature"].startswith("v1a,")
    for secret in (signing, public):
        assert ws.verify(provider, signed.headers, body, ws.ProviderConfig(secrets=(secret,)), now=AT).event_id == "msg_a"
    _, other_public = _ed25519_pair()
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, signed.headers, body, ws.ProviderConfig(secrets=(other_public,)), now=AT)
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, signed.headers, body + b" ", ws.ProviderConfig(secrets=(public,)), now=AT)


def test_whpk_cannot_sign():
    _, public = _ed25519_pair()
    with pytest.raises(ws.SignatureInvalid, match="whpk_"):
        ws.sign("standardwebhooks", b"{}", ws.ProviderConfig(secrets=(public,)))


def test_mixed_hmac_and_ed25519_secrets_and_signature_lists():
    signing, public = _ed25519_pair()
    hmac_secret = material.generate("standardwebhooks")["secrets"][0]
    body = b'{"type": "t"}'
    by_hmac = ws.sign("standardwebhooks", body, ws.ProviderConfig(secrets=(hmac_secret,)), at=AT, msg_id="m")
    by_key = ws.sign("standardwebhooks", body, ws.ProviderConfig(secrets=(signing,)), at=AT, msg_id="m")
    both = {**by_hmac.headers, "webhook-signature": "v1,bm90IGl0 " + by_key.headers["webhook-signature"]}
    config = ws.ProviderConfig(secrets=(hmac_secret, public))
    assert ws.verify("standardwebhooks", by_hmac.headers, body, config, now=AT)
    assert ws.verify("standardwebhooks", both, body, config, now=AT)


def test_svix_falls_back_to_webhook_headers():
    secret = material.generate("svix")["secrets"][0]
    body = b'{"type": "invoice.paid"}'
    signed = ws.sign("standardwebhooks", body, ws.ProviderConfig(secrets=(secret,)), at=AT, msg_id="msg_w")
    assert "webhook-id" in signed.headers
    delivery = ws.verify("svix", signed.headers, body, ws.ProviderConfig(secrets=(secret,)), now=AT)
    assert delivery == ws.Delivery("msg_w", "invoice.paid")
    svix = ws.sign("svix", body, ws.ProviderConfig(secrets=(secret,)), at=AT, msg_id="msg_s")
    assert set(svix.headers) == {"svix-id", "svix-timestamp", "svix-signature"}


def test_standard_webhooks_bare_base64_secret_verifies_like_the_reference_library():
    vector_secret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
               "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
    assert ws.verify("standardwebhooks", headers, b'{"test": 2432232314}', ws.ProviderConfig(secrets=(vector_secret,)), now=1614265330)


def test_malformed_timestamp_is_invalid():
    secret = material.generate("standardwebhooks")["secrets"][0]
    signed = ws.sign("standardwebhooks", b"{}", ws.ProviderConfig(secrets=(secret,)), at=AT)
    with pytest.raises(ws.SignatureInvalid, match="not a Unix timestamp"):
        ws.verify("standardwebhooks", {**signed.headers, "webhook-timestamp": "-5"}, b"{}", ws.ProviderConfig(secrets=(secret,)), now=AT)
