"""What every scheme refuses: changed bodies, headers, timestamps and secrets; old timestamps; big bodies."""

from __future__ import annotations

import hashlib
import json

import pytest

import webhook_signatures as ws
from signed_bodies import body_for
from webhook_signatures import material

AT = 1_700_000_000
HMAC_PROVIDERS = [p for p in ws.PROVIDERS if p != "paypal"]
TIMESTAMPED = ["stripe", "standardwebhooks", "svix"]
SETTINGS = {"square": {"notification_url": "https://example.com/webhook/square"}}
# The headers whose change must break the signature (ids of GitHub/Shopify are not signed by them).
SIGNED_HEADERS = {
    "stripe": ["Stripe-Signature"],
    "github": ["X-Hub-Signature-256"],
    "shopify": ["X-Shopify-Hmac-Sha256"],
    "square": ["x-square-hmacsha256-signature"],
    "standardwebhooks": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "svix": ["svix-id", "svix-timestamp", "svix-signature"],
    "paypal": ["PAYPAL-TRANSMISSION-ID", "PAYPAL-TRANSMISSION-TIME", "PAYPAL-TRANSMISSION-SIG"],
}


@pytest.fixture(scope="module")
def configs(paypal_material):
    entries = {p: material.generate(p) for p in HMAC_PROVIDERS}
    entries["paypal"] = paypal_material
    return {p: material.provider_config(p, entries[p], SETTINGS.get(p)) for p in ws.PROVIDERS}


def _signed(provider, config, at=AT, body=None):
    body = body if body is not None else body_for(provider, "evt_1", "payment.succeeded")
    return ws.sign(provider, body, config, at=at, msg_id="msg_1")


def _flip(value: str) -> str:
    """Change one character in the middle of a header value, whatever the case (hex compares either)."""
    i = len(value) // 2
    return value[:i] + ("Z" if value[i].lower() != "z" else "Y") + value[i + 1:]


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_signed_delivery_verifies(configs, provider):
    signed = _signed(provider, configs[provider])
    assert ws.verify(provider, signed.headers, signed.body, configs[provider], now=AT).event_id


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_header_names_match_case_insensitively(configs, provider):
    signed = _signed(provider, configs[provider])
    upper = {name.upper(): value for name, value in signed.headers.items()}
    assert ws.verify(provider, upper, signed.body, configs[provider], now=AT)


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_changed_body_fails(configs, provider):
    signed = _signed(provider, configs[provider])
    if provider == "adyen":  # Adyen signs the item fields: change one of them
        body = signed.body.replace(b"1130", b"1131")
    else:
        body = signed.body.replace(b"evt_1", b"evt_2")
    assert body != signed.body
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, signed.headers, body, configs[provider], now=AT)


@pytest.mark.parametrize(("provider", "header"), [(p, h) for p, hs in SIGNED_HEADERS.items() for h in hs])
def test_changed_signed_header_fails(configs, provider, header):
    signed = _signed(provider, configs[provider])
    headers = {**signed.headers, header: _flip(signed.headers[header])}
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, headers, signed.body, configs[provider], now=AT, tolerance_s=None)


@pytest.mark.parametrize(("provider", "header"), [(p, h) for p, hs in SIGNED_HEADERS.items() for h in hs])
def test_missing_signed_header_fails(configs, provider, header):
    signed = _signed(provider, configs[provider])
    headers = {k: v for k, v in signed.headers.items() if k != header}
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, headers, signed.body, configs[provider], now=AT)


def test_adyen_item_signature_changed_fails(configs):
    signed = _signed("adyen", configs["adyen"])
    document = json.loads(signed.body)
    additional = document["notificationItems"][0]["NotificationRequestItem"]["additionalData"]
    additional["hmacSignature"] = _flip(additional["hmacSignature"])
    with pytest.raises(ws.SignatureInvalid):
        ws.verify("adyen", {}, json.dumps(document).encode(), configs["adyen"])


@pytest.mark.parametrize("provider", HMAC_PROVIDERS)
def test_another_secret_fails(configs, provider):
    signed = _signed(provider, configs[provider])
    other = material.provider_config(provider, material.generate(provider), SETTINGS.get(provider))
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, signed.headers, signed.body, other, now=AT)


def test_paypal_other_certificate_fails(configs):
    signed = _signed("paypal", configs["paypal"])
    other = material.generate("paypal")
    config = configs["paypal"]._replace(certificates=tuple(other["certificates"]))
    with pytest.raises(ws.SignatureInvalid, match="does not verify"):
        ws.verify("paypal", signed.headers, signed.body, config)


def test_paypal_wrong_webhook_id_fails(configs):
    signed = _signed("paypal", configs["paypal"])
    config = configs["paypal"]._replace(webhook_id="WRONG0WEBHOOK0ID")
    with pytest.raises(ws.SignatureInvalid):
        ws.verify("paypal", signed.headers, signed.body, config)


@pytest.mark.parametrize("provider", HMAC_PROVIDERS)
def test_rotation_old_and_new_secret_both_verify(provider):
    old = material.generate(provider)
    rotated = material.set_secret(old, provider, material.generate(provider)["secrets"][0], keep_previous=True)
    config = material.provider_config(provider, rotated, SETTINGS.get(provider))
    for entry in (old, rotated):  # signed with the old secret, then with the new (current) one
        signer = material.provider_config(provider, entry, SETTINGS.get(provider))
        signed = _signed(provider, signer)
        assert ws.verify(provider, signed.headers, signed.body, config, now=AT)
    replaced = material.set_secret(old, provider, rotated["secrets"][0], keep_previous=False)
    signed = _signed(provider, material.provider_config(provider, old, SETTINGS.get(provider)))
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, signed.headers, signed.body, material.provider_config(provider, replaced, SETTINGS.get(provider)), now=AT)


@pytest.mark.parametrize("provider", TIMESTAMPED)
@pytest.mark.parametrize(("offset", "valid"), [(0, True), (300, True), (301, False), (-300, True), (-301, False), (86400, False)])
def test_tolerance_edges(configs, provider, offset, valid):
    """now - timestamp = offset: positive is an old delivery, negative one from the future."""
    signed = _signed(provider, configs[provider])
    verify = lambda: ws.verify(provider, signed.headers, signed.body, configs[provider], now=AT + offset)  # noqa: E731
    if valid:
        assert verify()
    else:
        with pytest.raises(ws.SignatureInvalid, match="timestamp"):
            verify()


@pytest.mark.parametrize("provider", TIMESTAMPED)
def test_changed_timestamp_fails_even_within_tolerance(configs, provider):
    signed = _signed(provider, configs[provider])
    if provider == "stripe":
        headers = {"Stripe-Signature": signed.headers["Stripe-Signature"].replace(f"t={AT}", f"t={AT + 1}")}
    else:
        name = f"{'svix' if provider == 'svix' else 'webhook'}-timestamp"
        headers = {**signed.headers, name: str(AT + 1)}
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, headers, signed.body, configs[provider], now=AT)


def test_paypal_has_no_transmission_time_tolerance(configs):
    signed = _signed("paypal", configs["paypal"], at=AT - 10 * 365 * 86400)
    assert ws.verify("paypal", signed.headers, signed.body, configs["paypal"], now=AT)


@pytest.mark.parametrize("provider", ws.PROVIDERS)
def test_body_too_large(configs, provider):
    signed = _signed(provider, configs[provider])
    with pytest.raises(ws.BodyTooLarge):
        ws.verify(provider, signed.headers, signed.body, configs[provider], now=AT, max_body_bytes=len(signed.body) - 1)
    assert ws.verify(provider, signed.headers, signed.body, configs[provider], now=AT, max_body_bytes=len(signed.body))


def test_body_too_large_is_checked_before_the_signature():
    with pytest.raises(ws.BodyTooLarge):
        ws.verify("stripe", {}, b"x" * 11, ws.ProviderConfig(), max_body_bytes=10)


def test_unknown_provider():
    with pytest.raises(ws.UnknownProvider):
        ws.verify("paypa1", {}, b"{}", ws.ProviderConfig())
    with pytest.raises(ws.UnknownProvider):
        ws.sign("nope", b"{}", ws.ProviderConfig())


@pytest.mark.parametrize("provider", ["stripe", "square", "standardwebhooks", "svix", "paypal"])
def test_non_json_body_is_malformed_only_after_the_signature_verified(configs, provider):
    signed = _signed(provider, configs[provider], body=b"not json")
    with pytest.raises(ws.MalformedBody):
        ws.verify(provider, signed.headers, signed.body, configs[provider], now=AT)
    forged = {k: _flip(v) for k, v in signed.headers.items()}
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, forged, signed.body, configs[provider], now=AT, tolerance_s=None)


def test_standard_webhooks_id_comes_from_the_header_even_for_non_json(configs):
    """The id is a header, but the type needs the body: a non-JSON body cannot be typed."""
    signed = _signed("standardwebhooks", configs["standardwebhooks"], body=b"plain text")
    with pytest.raises(ws.MalformedBody):
        ws.verify("standardwebhooks", signed.headers, signed.body, configs["standardwebhooks"], now=AT)


def test_github_delivery_is_keyed_by_its_header_whatever_the_body(configs):
    signed = _signed("github", configs["github"], body=b"payload=%7B%22zen%22%3A1%7D")
    delivery = ws.verify("github", signed.headers, signed.body, configs["github"])
    assert delivery.event_id == "msg_1"


@pytest.mark.parametrize("provider", ["stripe", "square", "paypal", "github", "shopify"])
def test_empty_event_id_falls_back_to_the_body_hash(configs, provider):
    body = json.dumps({"type": "x", "event_type": "x"}).encode()
    signed = ws.sign(provider, body, configs[provider], at=AT)
    headers = {k: v for k, v in signed.headers.items() if k not in ("X-GitHub-Delivery", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id")}
    delivery = ws.verify(provider, headers, body, configs[provider], now=AT)
    assert delivery.event_id == hashlib.sha256(body).hexdigest()


def test_stripe_accepts_any_of_several_v1_signatures(configs):
    signed = _signed("stripe", configs["stripe"])
    header = signed.headers["Stripe-Signature"]
    t, v1 = header.split(",")
    rearranged = f"{t},v1={'0' * 64},{v1},v0=abc"
    assert ws.verify("stripe", {"Stripe-Signature": rearranged}, signed.body, configs["stripe"], now=AT)


def test_no_configured_secret_is_invalid():
    signed = _signed("stripe", ws.ProviderConfig(secrets=("whsec_abcdefghij",)))
    with pytest.raises(ws.SignatureInvalid, match="no stripe secret"):
        ws.verify("stripe", signed.headers, signed.body, ws.ProviderConfig(), now=AT)


def test_square_notification_url_is_signed(configs):
    signed = _signed("square", configs["square"])
    config = configs["square"]._replace(notification_url="https://example.com/webhook/other")
    with pytest.raises(ws.SignatureInvalid):
        ws.verify("square", signed.headers, signed.body, config)


def test_event_id_helpers_read_without_verifying():
    body = json.dumps({"id": "evt_9", "type": "charge.refunded"}).encode()
    assert ws.event_id("stripe", {}, body) == "evt_9"
    assert ws.event_type("stripe", {}, body) == "charge.refunded"
    assert ws.event_id("github", {"x-github-delivery": "d-1"}, b"x") == "d-1"
