"""atheris: the HMAC verifiers (Stripe, GitHub, Shopify, Square, Adyen) on fuzzer-made and mutated deliveries.

Fails on any exception that is not a WebhookError, on garbage that verifies, and on a changed signed
delivery that still verifies (for Adyen items: one whose signed fields changed).
Run: python fuzz/verify_fuzz.py -atheris_runs=100000
"""

from __future__ import annotations

import sys

import atheris

from fuzz_input import SIGNED_AT, delivery_from, mutated, use_repo_sources

use_repo_sources()
with atheris.instrument_imports():
    import webhook_signatures as ws
    from webhook_signatures import adyen, github, material, shopify, square, stripe

PROVIDERS = ("stripe", "github", "shopify", "square", "adyen")
CONFIGS = {p: material.provider_config(p, material.generate(p), {"notification_url": "https://example.com/webhook/square"})
           for p in PROVIDERS}
# The headers whose values are signed; the others (ids, topics) may change without breaking a signature.
SIGNED_HEADERS = {"stripe": stripe.HEADER, "github": github.SIGNATURE, "shopify": shopify.SIGNATURE,
                  "square": square.SIGNATURE, "adyen": adyen.PAYLOAD_HEADER}
HEADERS = (stripe.HEADER, github.SIGNATURE, github.DELIVERY, github.EVENT, shopify.SIGNATURE, shopify.WEBHOOK_ID,
           square.SIGNATURE, adyen.PAYLOAD_HEADER, "Content-Type")


def adyen_signed_fields(body: bytes):
    try:
        items = adyen.notification_items(ws.Request({}, body).json())
    except ws.MalformedBody:
        return None
    return [adyen.signing_string(item) for item in items] if items else None


def check(provider: str, headers: dict[str, str], body: bytes):
    try:
        return ws.verify(provider, headers, body, CONFIGS[provider], now=SIGNED_AT, max_body_bytes=8192)
    except ws.WebhookError:
        return None


def _normal(value: str | None) -> str | None:
    return value.strip().lower() if value is not None else None


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    provider = fdp.PickValueInList(list(PROVIDERS))
    if fdp.ConsumeBool():
        headers, body = delivery_from(fdp, HEADERS)
        if check(provider, headers, body) is not None and provider != "adyen":
            raise AssertionError(f"unsigned {provider} delivery verified")
        return
    body = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))
    signed = ws.sign(provider, body, CONFIGS[provider], at=SIGNED_AT)
    headers, changed = mutated(fdp, signed.headers, signed.body)
    if check(provider, headers, changed) is None:
        return
    name = SIGNED_HEADERS[provider]
    if changed == signed.body and _normal(headers.get(name)) == _normal(signed.headers.get(name)):
        return  # only unsigned headers changed
    if provider == "adyen" and adyen_signed_fields(changed) == adyen_signed_fields(signed.body):
        return  # Adyen signs eight fields per item: other changes are allowed
    raise AssertionError(f"changed {provider} delivery verified: {headers!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
