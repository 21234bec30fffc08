"""atheris: Standard Webhooks and Svix (HMAC whsec_ and Ed25519 whsk_ keys) on fuzzer-made and mutated deliveries.

Fails on any exception that is not a WebhookError, on garbage that verifies, and on a changed signed
delivery that still verifies.
Run: python fuzz/standard_webhooks_fuzz.py -atheris_runs=100000
"""

from __future__ import annotations

import base64
import sys

import atheris

from fuzz_input import SIGNED_AT, delivery_from, mutated, use_repo_sources

use_repo_sources()
with atheris.instrument_imports():
    import webhook_signatures as ws
    from webhook_signatures import material


def _ed25519_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return "whsk_" + base64.b64encode(raw).decode()


CASES = {
    "standardwebhooks": ("standardwebhooks", material.provider_config("standardwebhooks", material.generate("standardwebhooks"), {})),
    "svix": ("svix", material.provider_config("svix", material.generate("svix"), {})),
    "ed25519": ("standardwebhooks", ws.ProviderConfig(secrets=(_ed25519_key(),))),
}
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature")


def check(provider: str, config: ws.ProviderConfig, headers: dict[str, str], body: bytes):
    try:
        return ws.verify(provider, headers, body, config, now=SIGNED_AT, max_body_bytes=8192)
    except ws.WebhookError:
        return None


def _normal(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value.strip() for name, value in headers.items()}


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    provider, config = CASES[fdp.PickValueInList(sorted(CASES))]
    if fdp.ConsumeBool():
        headers, body = delivery_from(fdp, HEADERS)
        if check(provider, config, headers, body) is not None:
            raise AssertionError(f"unsigned {provider} delivery verified")
        return
    body = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))
    signed = ws.sign(provider, body, config, at=SIGNED_AT + fdp.ConsumeIntInRange(-300, 300))
    headers, changed = mutated(fdp, signed.headers, signed.body)
    if check(provider, config, headers, changed) is None:
        return
    if changed == signed.body and _normal(headers) == _normal(signed.headers):
        return
    raise AssertionError(f"changed {provider} delivery verified: {headers!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
