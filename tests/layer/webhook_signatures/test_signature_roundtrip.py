"""sign -> verify round trips for every scheme, over generated bodies, ids, timestamps and secrets."""

from __future__ import annotations

import base64
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import webhook_signatures as ws
from signed_bodies import body_for, expected_id

ID_CHARS = string.ascii_letters + string.digits + "_-"
ids = st.text(alphabet=ID_CHARS, min_size=1, max_size=40)
types = st.text(alphabet=string.ascii_letters + "._", min_size=1, max_size=30)
notes = st.text(max_size=200)
timestamps = st.integers(min_value=0, max_value=4_000_000_000)
plain_secrets = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=64)

SECRETS = {
    "stripe": st.text(alphabet=ID_CHARS, min_size=8, max_size=40).map(lambda s: "whsec_" + s),
    "github": plain_secrets,
    "shopify": plain_secrets,
    "square": plain_secrets,
    "adyen": st.binary(min_size=16, max_size=64).map(lambda b: b.hex().upper()),
    "standardwebhooks": st.binary(min_size=16, max_size=64).map(lambda b: "whsec_" + base64.b64encode(b).decode()),
    "svix": st.one_of(
        st.binary(min_size=16, max_size=64).map(lambda b: "whsec_" + base64.b64encode(b).decode()),
        st.binary(min_size=32, max_size=32).map(lambda b: "whsk_" + base64.b64encode(b).decode()),
    ),
}
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _roundtrip(provider: str, config: ws.ProviderConfig, event_id: str, event_type: str, note: str, msg_id: str, at: int) -> None:
    body = body_for(provider, event_id, event_type, note)
    signed = ws.sign(provider, body, config, at=at, msg_id=msg_id)
    delivery = ws.verify(provider, signed.headers, signed.body, config, now=at)
    assert delivery.event_id == expected_id(provider, event_id, event_type, msg_id)
    if provider not in ("shopify", "github"):  # their type is a header the sender sets, not the body's
        assert delivery.event_type == event_type


def _hmac_case(provider: str):
    @EXAMPLES
    @given(secret=SECRETS[provider], event_id=ids, event_type=types, note=notes, msg_id=ids, at=timestamps)
    def check(secret, event_id, event_type, note, msg_id, at):
        config = ws.ProviderConfig(secrets=(secret,), notification_url="https://example.com/webhook/square")
        _roundtrip(provider, config, event_id, event_type, note, msg_id, at)

    return check


test_stripe_roundtrip = _hmac_case("stripe")
test_github_roundtrip = _hmac_case("github")
test_shopify_roundtrip = _hmac_case("shopify")
test_square_roundtrip = _hmac_case("square")
test_adyen_roundtrip = _hmac_case("adyen")
test_standardwebhooks_roundtrip = _hmac_case("standardwebhooks")
test_svix_roundtrip = _hmac_case("svix")


@EXAMPLES
@given(event_id=ids, event_type=types, note=notes, msg_id=ids, at=st.integers(min_value=0, max_value=253_402_300_799))
def test_paypal_roundtrip(paypal_material, event_id, event_type, note, msg_id, at):
    from webhook_signatures import material

    config = material.provider_config("paypal", paypal_material, {})
    _roundtrip("paypal", config, event_id, event_type, note, msg_id, at)


@settings(max_examples=25, deadline=None)
@given(body=st.binary(max_size=512), msg_id=ids, at=timestamps, secret=plain_secrets)
def test_github_roundtrip_any_body(body, msg_id, at, secret):
    config = ws.ProviderConfig(secrets=(secret,))
    signed = ws.sign("github", body, config, at=at, msg_id=msg_id)
    assert ws.verify("github", signed.headers, body, config).event_id == msg_id
