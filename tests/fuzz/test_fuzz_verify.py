"""Fuzzing every provider's verify(): only WebhookErrors come out, garbage never verifies, forgeries never pass."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import webhook_signatures as ws
from tests.fuzz.forged_deliveries import assert_refused_as_forgery, forgeries
from tests.fuzz.fuzz_settings import fuzz
from tests.fuzz.hostile_inputs import bodies, header_maps, oversized
from tests.fuzz.signing_material import SAMPLE_BODIES, SIGNED_AT, VARIANTS, provider_of, timestamp_header
from tests.fuzz.paypal_urls import assert_fetchable_paypal_url
from webhook_signatures.paypal_certificates import FetchResponse


class CheckingFetcher:
    """A certificate fetcher that never reaches the network: it checks each URL it gets and answers 404."""

    def __call__(self, url: str) -> FetchResponse:
        assert_fetchable_paypal_url(url)
        return FetchResponse(404)


def attempt(variant: str, headers: dict[str, str], body: bytes, config: ws.ProviderConfig, **options: Any) -> Any:
    """verify()'s Delivery, or the WebhookError it raised; any other exception fails the test."""
    options.setdefault("now", SIGNED_AT)
    options.setdefault("cert_fetcher", CheckingFetcher())
    try:
        return ws.verify(provider_of(variant), headers, body, config, **options)
    except ws.WebhookError as refused:
        return refused


def signed(variant: str, configs: dict[str, Any], body: bytes | None = None, at: int = SIGNED_AT) -> ws.SignedDelivery:
    return ws.sign(provider_of(variant), SAMPLE_BODIES[variant] if body is None else body, configs[variant],
                   at=at, msg_id="msg_fuzz_1")


# --- garbage ---------------------------------------------------------------------------------------

@fuzz(300)
@given(variant=st.sampled_from([*VARIANTS, "paypal-unpinned"]), headers=header_maps(), body=bodies)
def test_garbage_is_refused_with_a_webhook_error(configs, variant, headers, body):
    config = configs["paypal"]._replace(certificates=()) if variant == "paypal-unpinned" else configs[variant]
    outcome = attempt(variant, headers, body, config)  # the fetcher fails the test for any URL it must not get
    assert isinstance(outcome, ws.WebhookError), f"garbage verified: {outcome!r}"


@fuzz(200)
@given(variant=st.sampled_from(VARIANTS), body=bodies, data=st.data())
def test_signed_garbage_bodies_verify_or_refuse_cleanly(configs, variant, body, data):
    """Validly signed bodies of any shape: a Delivery with text id and type, or MalformedBody; nothing else."""
    delivery = signed(variant, configs, body)
    if data.draw(st.booleans(), label="scramble header case"):
        headers = {name.swapcase(): value for name, value in delivery.headers.items()}
    else:
        headers = delivery.headers
    outcome = attempt(variant, headers, delivery.body, configs[variant])
    if isinstance(outcome, ws.WebhookError):
        assert isinstance(outcome, (ws.MalformedBody, ws.BodyTooLarge)), f"signed delivery refused: {outcome!r}"
        return
    assert isinstance(outcome.event_id, str) and outcome.event_id
    assert isinstance(outcome.event_type, str) and outcome.event_type


@fuzz(50)
@given(provider=st.one_of(st.text(max_size=20), st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2)))
def test_unknown_providers_are_refused(configs, provider):
    assume(provider not in ws.PROVIDERS)
    with pytest.raises(ws.UnknownProvider):
        ws.verify(provider, {}, b"{}", configs["stripe"])


# --- forgeries -------------------------------------------------------------------------------------

@fuzz(300)
@given(variant=st.sampled_from(VARIANTS), data=st.data())
def test_forgeries_are_never_accepted(configs, other_configs, variant, data):
    original = signed(variant, configs)
    assert attempt(variant, original.headers, original.body, configs[variant]) == \
        ws.verify(provider_of(variant), original.headers, original.body, configs[variant], now=SIGNED_AT)
    forged_elsewhere = signed(variant, other_configs)
    headers, body = data.draw(forgeries(variant, original, forged_elsewhere, SIGNED_AT))
    outcome = attempt(variant, headers, body, configs[variant])
    assert_refused_as_forgery(outcome, variant, original, body)


@fuzz(60)
@given(variant=st.sampled_from([v for v in VARIANTS if timestamp_header(v)]), data=st.data())
def test_stale_and_future_timestamps_are_refused(configs, variant, data):
    offset = data.draw(st.one_of(st.integers(301, 10**9), st.integers(-(10**9), -301)))
    delivery = signed(variant, configs, at=SIGNED_AT + offset)
    outcome = attempt(variant, delivery.headers, delivery.body, configs[variant])
    assert isinstance(outcome, ws.SignatureInvalid)


# --- size limits -------------------------------------------------------------------------------------

@fuzz(60)  # not Adyen items: signing re-writes their body
@given(variant=st.sampled_from([v for v in VARIANTS if v != "adyen"]), body=oversized(2048))
def test_bodies_around_the_limit(configs, variant, body):
    delivery = signed(variant, configs, body)
    outcome = attempt(variant, delivery.headers, delivery.body, configs[variant], max_body_bytes=2048)
    if len(delivery.body) > 2048:
        assert isinstance(outcome, ws.BodyTooLarge)
    else:
        assert isinstance(outcome, ws.Delivery)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "adyen"])
def test_default_limit_accepts_the_largest_body_and_refuses_one_byte_more(configs, variant):
    largest = b'{"id":"evt_big","pad":"' + b"x" * (ws.DEFAULT_MAX_BODY_BYTES - 25) + b'"}'
    assert len(largest) == ws.DEFAULT_MAX_BODY_BYTES
    delivery = signed(variant, configs, largest)
    assert isinstance(attempt(variant, delivery.headers, delivery.body, configs[variant]), ws.Delivery)
    over = signed(variant, configs, largest + b" ")
    assert isinstance(attempt(variant, over.headers, over.body, configs[variant]), ws.BodyTooLarge)
