"""Fuzzing the receiver's handler against moto: client garbage gets a 4xx and stores nothing; forgeries get a 401."""

from __future__ import annotations

import json
import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

import webhook_signatures as ws
from tests.fuzz.forged_deliveries import forgeries
from tests.fuzz.fuzz_settings import fuzz
from tests.fuzz.hostile_inputs import proxy_events
from tests.fuzz.receiver_harness import MAX_BODY_BYTES, RECEIVER_VARIANTS, proxy_event, signing_config
from tests.fuzz.signing_material import SAMPLE_BODIES, adyen_signed_fields, provider_of

encodings = st.sampled_from(["text", "base64", "multi-value only"])


@fuzz(200)
@given(event=proxy_events())
def test_client_garbage_gets_a_4xx_and_stores_nothing(receiver, event):
    stored, handed_off = receiver.stored(), len(receiver.handoffs)
    response = receiver.answer(event)
    assert 400 <= response["statusCode"] < 500, response
    assert json.loads(response["body"])["message"]
    assert receiver.stored() == stored
    assert len(receiver.handoffs) == handed_off


@fuzz(200)
@given(variant=st.sampled_from(RECEIVER_VARIANTS), encoding=encodings, recase=st.booleans(), data=st.data())
def test_forgeries_get_a_401_and_store_nothing(receiver, configs, other_configs, variant, encoding, recase, data):
    now = int(time.time())
    original = ws.sign(provider_of(variant), SAMPLE_BODIES[variant], signing_config(configs, variant), at=now)
    elsewhere = ws.sign(provider_of(variant), SAMPLE_BODIES[variant], signing_config(other_configs, variant), at=now)
    headers, body = data.draw(forgeries(variant, original, elsewhere, now))
    stored, handed_off = receiver.stored(), len(receiver.handoffs)

    response = receiver.answer(proxy_event(provider_of(variant), headers, body, encoding, recase))

    if variant == "adyen" and response["statusCode"] == 200:
        # Adyen signs eight fields of each item, not the whole body: only a change elsewhere may pass.
        assert adyen_signed_fields(body) == adyen_signed_fields(original.body)
        return
    if len(body) > MAX_BODY_BYTES:
        assert response["statusCode"] == 413
    else:
        assert response["statusCode"] == 401, response
        assert response["body"] == '{"message":"Unauthorized"}'
    assert receiver.stored() == stored
    assert len(receiver.handoffs) == handed_off


@fuzz(100)
@given(variant=st.sampled_from(RECEIVER_VARIANTS), encoding=encodings, recase=st.booleans())
def test_authentic_deliveries_are_accepted_in_any_encoding(receiver, configs, variant, encoding, recase):
    """The other side of the two properties above: the same harness accepts what is authentic."""
    body = SAMPLE_BODIES[variant].replace(b"1", str(uuid.uuid4().int).encode(), 1)  # a fresh event id
    delivery = ws.sign(provider_of(variant), body, signing_config(configs, variant), msg_id=str(uuid.uuid4()))
    handed_off = len(receiver.handoffs)

    response = receiver.answer(proxy_event(provider_of(variant), delivery.headers, delivery.body, encoding, recase))

    assert response["statusCode"] == 200, response
    answer = json.loads(response["body"])
    assert answer["received"] is True
    item = receiver.cloud.item(answer["event_key"])
    assert item["body"]["S"] == delivery.body.decode()
    assert [handoff["event_key"] for handoff in receiver.handoffs[handed_off:]] == [answer["event_key"]]
