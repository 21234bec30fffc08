"""The receiver's 401 is byte-identical, body and headers, whatever the reason and whatever the provider."""

from __future__ import annotations

import json
import time
from typing import Any

import webhook_signatures as ws
from tests.fuzz.receiver_harness import RECEIVER_VARIANTS, proxy_event, signing_config
from tests.fuzz.signing_material import SAMPLE_BODIES, provider_of, signature_of, timestamp_header

MALFORMED = "%%%not a signature%%%"


def _adyen_items(body: bytes, change) -> bytes:
    document = json.loads(body)
    for entry in document["notificationItems"]:
        change(entry["NotificationRequestItem"])
    return json.dumps(document, separators=(",", ":")).encode()


def refusals(variant: str, configs: dict[str, Any], other_configs: dict[str, Any]) -> dict[str, tuple[dict[str, str], bytes]]:
    """Every way this provider's delivery can fail authentication: reason -> (headers, body)."""
    provider, now = provider_of(variant), int(time.time())
    good = ws.sign(provider, SAMPLE_BODIES[variant], signing_config(configs, variant), at=now)
    reasons = {"wrong secret": tuple(ws.sign(provider, SAMPLE_BODIES[variant], signing_config(other_configs, variant), at=now))}
    signature = signature_of(variant, good.headers)
    if signature is None:  # Adyen classic: the signatures are in the items
        reasons["missing header"] = ({}, _adyen_items(good.body, lambda item: item["additionalData"].pop("hmacSignature")))
        reasons["bad signature"] = ({}, _adyen_items(good.body, lambda item: item["additionalData"].update(hmacSignature="AAAA")))
        reasons["malformed header"] = ({}, _adyen_items(good.body, lambda item: item.update(additionalData="x")))
    else:
        raw = bytearray(signature.decode(good.headers[signature.header]))
        raw[0] ^= 1
        reasons["missing header"] = ({}, good.body)
        reasons["bad signature"] = ({**good.headers, signature.header: signature.encode(bytes(raw))}, good.body)
        reasons["malformed header"] = ({**good.headers, signature.header: MALFORMED}, good.body)
    if timestamp_header(variant):
        reasons["stale timestamp"] = tuple(ws.sign(provider, SAMPLE_BODIES[variant], signing_config(configs, variant), at=now - 3600))
        reasons["malformed timestamp"] = ({**good.headers, timestamp_header(variant): "t=soon" if provider == "stripe" else "soon"}, good.body)
    return reasons


def test_every_refusal_of_every_provider_gets_the_identical_401(receiver, configs, other_configs):
    answers: dict[str, dict[str, Any]] = {}
    stored = receiver.stored()
    for variant in RECEIVER_VARIANTS:
        for reason, (headers, body) in refusals(variant, configs, other_configs).items():
            answers[f"{variant}: {reason}"] = receiver.answer(proxy_event(provider_of(variant), headers, body, "text", False))

    assert len(answers) == 4 * len(RECEIVER_VARIANTS) + 2 * 3  # + stale and malformed timestamps (3 schemes)
    expected = {"statusCode": 401, "headers": {"Content-Type": "application/json"},
                "body": '{"message":"Unauthorized"}', "isBase64Encoded": False}
    differing = {case: answer for case, answer in answers.items() if answer != expected}
    assert differing == {}
    assert receiver.stored() == stored
