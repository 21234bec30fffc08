"""Forgeries: a validly signed delivery changed in one way, and what refusing one means."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

import webhook_signatures as ws
from tests.fuzz.hostile_inputs import bodies, header_values
from tests.fuzz.signing_material import (
    adyen_signed_fields,
    signature_of,
    signed_content_headers,
    timestamp_header,
    with_timestamp,
)
from webhook_signatures import adyen


@st.composite
def forgeries(draw: st.DrawFn, variant: str, original: ws.SignedDelivery, forged_elsewhere: ws.SignedDelivery,
              signed_at: int) -> tuple[dict[str, str], bytes]:
    """A delivery signed at `signed_at`, changed in one way that must break its authenticity."""
    headers, body = dict(original.headers), original.body
    signature = signature_of(variant, headers)
    required = [name for name in (signature and signature.header, *signed_content_headers(variant),
                                  timestamp_header(variant)) if name]
    kinds = ["body byte", "body", "other secret"]
    if required:
        kinds.append("drop header")
    if signature:
        kinds += ["signature bit", "signature text"]
    if signed_content_headers(variant):
        kinds.append("signed header")
    if timestamp_header(variant):
        kinds.append("timestamp")
    if variant == "adyen":
        kinds.append("adyen field")
    kind = draw(st.sampled_from(kinds), label="forgery")

    if kind == "body byte":
        index = draw(st.integers(0, len(body) - 1))
        mask = draw(st.integers(1, 255))
        body = body[:index] + bytes([body[index] ^ mask]) + body[index + 1:]
    elif kind == "body":
        body = draw(bodies)
        assume(body != original.body)
    elif kind == "other secret":
        headers, body = dict(forged_elsewhere.headers), forged_elsewhere.body
    elif kind == "drop header":
        del headers[draw(st.sampled_from(sorted(set(required))))]
    elif kind == "signature bit":
        raw = bytearray(signature.decode(headers[signature.header]))
        bit = draw(st.integers(0, len(raw) * 8 - 1))
        raw[bit // 8] ^= 1 << (bit % 8)
        headers[signature.header] = signature.encode(bytes(raw))
    elif kind == "signature text":
        replacement = draw(header_values)
        original_sig = signature.decode(headers[signature.header])
        assume(original_sig.hex() not in replacement.lower() and original_sig.hex() not in replacement)
        assume(signature.encode(original_sig).split(",")[-1].split("=", 1)[-1] not in replacement)
        headers[signature.header] = replacement
    elif kind == "signed header":
        name = draw(st.sampled_from(signed_content_headers(variant)))
        value = draw(st.text(min_size=1, max_size=30))
        assume(value.strip() != headers[name].strip())
        headers[name] = value
    elif kind == "timestamp":
        delta = draw(st.integers(-299, 299).filter(bool))
        headers = with_timestamp(variant, headers, signed_at + delta)
    elif kind == "adyen field":
        document = json.loads(body)
        item = draw(st.sampled_from(document["notificationItems"]))["NotificationRequestItem"]
        field = draw(st.sampled_from([*adyen.SIGNED_FIELDS, "amount"]))
        if field in ("value", "currency"):
            item["amount"][field] = draw(st.one_of(st.integers(), st.text(max_size=5), st.none()))
        else:
            item[field] = draw(st.one_of(st.integers(), st.text(max_size=8), st.none(), st.booleans()))
        body = json.dumps(document, separators=(",", ":")).encode()
        assume(adyen_signed_fields(body) != adyen_signed_fields(original.body))
    return headers, body


def assert_refused_as_forgery(outcome: Any, variant: str, original: ws.SignedDelivery, body: bytes) -> None:
    if variant == "adyen" and not isinstance(outcome, ws.WebhookError):
        # Adyen signs eight fields of each item, not the body: a change elsewhere may pass, a signed one never.
        assert adyen_signed_fields(body) == adyen_signed_fields(original.body), "forged Adyen item accepted"
        return
    assert isinstance(outcome, ws.SignatureInvalid), f"forgery not refused: {outcome!r}"
