"""atheris: PayPal (RSA over transmission id|time|webhook id|crc32) and its certificate-URL checks.

Fails on any exception that is not a WebhookError, on garbage or a changed signed delivery that verifies,
on a certificate URL handed to the fetcher that is not https on a PayPal host, and on an accepted URL
that urllib would send elsewhere.
Run: python fuzz/paypal_fuzz.py -atheris_runs=100000
"""

from __future__ import annotations

import sys
import urllib.request

import atheris

from fuzz_input import delivery_from, mutated, use_repo_sources

use_repo_sources()
with atheris.instrument_imports():
    import webhook_signatures as ws
    from webhook_signatures import material, paypal, paypal_certificates

PINNED = material.provider_config("paypal", material.generate("paypal"), {})
UNPINNED = PINNED._replace(certificates=())
HEADERS = (paypal.TRANSMISSION_ID, paypal.TRANSMISSION_TIME, paypal.TRANSMISSION_SIG, paypal.CERT_URL, paypal.AUTH_ALGO)


def fetcher(url: str) -> paypal_certificates.FetchResponse:
    """Never the network: only PayPal https URLs may get here; every fetch answers 404."""
    host = (urllib.request.Request(url).host or "").lower()
    if not url.startswith("https://") or not (host == "paypal.com" or host.endswith(".paypal.com")):
        raise AssertionError(f"fetcher asked for {url!r}")
    return paypal_certificates.FetchResponse(404)


def check(headers: dict[str, str], body: bytes, config: ws.ProviderConfig):
    try:
        return ws.verify("paypal", headers, body, config, cert_fetcher=fetcher, max_body_bytes=8192)
    except ws.WebhookError:
        return None


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        url = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 120))
        try:
            paypal_certificates.check_cert_url(url)
        except ws.SignatureInvalid:
            return
        fetcher(url)  # accepted: urllib must see a PayPal host too
        return
    if mode == 1:
        headers, body = delivery_from(fdp, HEADERS)
        if check(headers, body, UNPINNED if fdp.ConsumeBool() else PINNED) is not None:
            raise AssertionError("unsigned PayPal delivery verified")
        return
    body = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))
    signed = ws.sign("paypal", body, PINNED)
    headers, changed = mutated(fdp, signed.headers, signed.body)
    if check(headers, changed, PINNED) is None or changed == signed.body and all(
        headers.get(name) == signed.headers[name] for name in HEADERS[:3]
    ):
        return
    raise AssertionError(f"changed PayPal delivery verified: {headers!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
