"""PayPal certificates: pinned within validity; fetched only from https PayPal hosts, chain and CN checked, cached."""

from __future__ import annotations

import base64
import json

import pytest

import webhook_signatures as ws
from webhook_signatures import material, paypal, paypal_certificates
from webhook_signatures.paypal_certificates import FetchResponse
from x509_test_certs import key_pem, make_cert, pem

CERT_URL = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42"
WEBHOOK_ID = "4JH86294D6297924G"
BODY = json.dumps({"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED"}).encode()


@pytest.fixture(scope="module")
def pki(rsa_key):
    """A test root CA, a PayPal-named leaf signed by it, and leaves that must be refused."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = make_cert(ca_key, subject_cn="Test Root CA", ca=True, days_to=3650)
    leaf = make_cert(rsa_key, subject_cn="messageverificationcerts.paypal.com", issuer=ca, issuer_key=ca_key)
    return {
        "ca": ca,
        "leaf": leaf,
        "wrong_cn": make_cert(rsa_key, subject_cn="messageverificationcerts.example.com", issuer=ca, issuer_key=ca_key),
        "self_signed": make_cert(rsa_key, subject_cn="messageverificationcerts.paypal.com"),
        "expired": make_cert(rsa_key, subject_cn="messageverificationcerts.paypal.com", issuer=ca, issuer_key=ca_key, days_from=-30, days_to=-1),
    }


@pytest.fixture(autouse=True)
def trust_only_the_test_ca(monkeypatch, pki):
    from cryptography.x509.verification import Store

    monkeypatch.setattr(paypal_certificates, "trusted_roots", lambda: Store([pki["ca"]]))
    paypal_certificates._fetched.clear()
    yield
    paypal_certificates._fetched.clear()


class FakeFetcher:
    """Answers from a URL -> FetchResponse table and records every URL asked for."""

    def __init__(self, answers: dict[str, FetchResponse]):
        self.answers = answers
        self.urls: list[str] = []

    def __call__(self, url: str) -> FetchResponse:
        self.urls.append(url)
        return self.answers.get(url, FetchResponse(404))


def _signed(rsa_key, cert_url=CERT_URL, webhook_id=WEBHOOK_ID):
    config = ws.ProviderConfig(webhook_id=webhook_id, signing_key=key_pem(rsa_key))
    signed = ws.sign("paypal", BODY, config, msg_id="tx-1")
    return {**signed.headers, paypal.CERT_URL: cert_url}


def _verify(headers, fetcher, **config):
    config = {"webhook_id": WEBHOOK_ID, **config}
    return ws.verify("paypal", headers, BODY, ws.ProviderConfig(**config), cert_fetcher=fetcher)


def test_signed_message_uses_unsigned_crc32():
    body = b"\xff" * 7  # crc32 above 2**31: must print as an unsigned decimal
    import zlib

    assert zlib.crc32(body) > 2**31
    assert paypal.signed_message("a", "b", "c", body) == f"a|b|c|{zlib.crc32(body)}".encode()


def test_pinned_certificate_within_validity(rsa_key, pki):
    fetcher = FakeFetcher({})
    assert _verify(_signed(rsa_key), fetcher, certificates=(pem(pki["self_signed"]),)).event_id == "WH-1"
    assert fetcher.urls == []  # pinned: never fetched


def test_expired_pinned_certificate_is_rejected(rsa_key, pki):
    with pytest.raises(ws.SignatureInvalid, match="expired"):
        _verify(_signed(rsa_key), FakeFetcher({}), certificates=(pem(pki["expired"]),))


def test_generated_material_expired_is_rejected(rsa_key):
    from datetime import datetime, timedelta, timezone

    old = material.generate_paypal(valid_days=10, not_before=datetime.now(timezone.utc) - timedelta(days=20))
    config = material.provider_config("paypal", old, {})
    signed = ws.sign("paypal", BODY, config)
    with pytest.raises(ws.SignatureInvalid, match="expired"):
        ws.verify("paypal", signed.headers, BODY, config)


def test_wrong_webhook_id_fails(rsa_key, pki):
    with pytest.raises(ws.SignatureInvalid):
        _verify(_signed(rsa_key, webhook_id="OTHER"), FakeFetcher({}), certificates=(pem(pki["self_signed"]),))


def test_fetched_certificate_chain_checked_and_cached(rsa_key, pki):
    fetcher = FakeFetcher({CERT_URL: FetchResponse(200, (pem(pki["leaf"])).encode())})
    headers = _signed(rsa_key)
    assert _verify(headers, fetcher).event_id == "WH-1"
    assert _verify(headers, fetcher).event_id == "WH-1"
    assert fetcher.urls == [CERT_URL]


def test_redirect_within_paypal_is_followed(rsa_key, pki):
    target = "https://www.paypal.com/certs/leaf.pem"
    fetcher = FakeFetcher({
        CERT_URL: FetchResponse(302, location=target),
        target: FetchResponse(200, pem(pki["leaf"]).encode()),
    })
    assert _verify(_signed(rsa_key), fetcher)
    assert fetcher.urls == [CERT_URL, target]


@pytest.mark.parametrize("url", [
    "http://api.paypal.com/v1/notifications/certs/CERT-1",
    "https://evil.example/cert.pem",
    "https://paypal.com.evil.example/cert.pem",
    "https://evilpaypal.com/cert.pem",
    "https://api.paypal.com@evil.example/cert.pem",
    "https://user@api.paypal.com/cert.pem",
    "https://api.paypal.com:8443/cert.pem",
    "https://169.254.169.254/latest/meta-data/",
    "file:///etc/passwd",
])
def test_non_paypal_urls_are_refused_without_fetching(rsa_key, pki, url):
    fetcher = FakeFetcher({url: FetchResponse(200, pem(pki["leaf"]).encode())})
    with pytest.raises(ws.SignatureInvalid, match="certificate URL"):
        _verify(_signed(rsa_key, cert_url=url), fetcher)
    assert fetcher.urls == []


@pytest.mark.parametrize("location", ["https://evil.example/leaf.pem", "http://api.paypal.com/leaf.pem", "//evil.example/x"])
def test_redirect_off_domain_is_refused(rsa_key, pki, location):
    fetcher = FakeFetcher({CERT_URL: FetchResponse(301, location=location), location: FetchResponse(200, pem(pki["leaf"]).encode())})
    with pytest.raises(ws.SignatureInvalid, match="certificate URL"):
        _verify(_signed(rsa_key), fetcher)
    assert fetcher.urls == [CERT_URL]


def test_redirect_loop_is_refused(rsa_key):
    fetcher = FakeFetcher({CERT_URL: FetchResponse(302, location=CERT_URL)})
    with pytest.raises(ws.SignatureInvalid, match="redirects too often"):
        _verify(_signed(rsa_key), fetcher)


@pytest.mark.parametrize(("name", "match"), [
    ("wrong_cn", "CN"),
    ("self_signed", "trusted root"),
    ("expired", "trusted root|expired"),
])
def test_bad_fetched_certificates_are_refused(rsa_key, pki, name, match):
    fetcher = FakeFetcher({CERT_URL: FetchResponse(200, pem(pki[name]).encode())})
    with pytest.raises(ws.SignatureInvalid, match=match):
        _verify(_signed(rsa_key), fetcher)
    assert CERT_URL not in paypal_certificates._fetched


def test_fetch_errors_are_invalid(rsa_key):
    with pytest.raises(ws.SignatureInvalid, match="HTTP 404"):
        _verify(_signed(rsa_key), FakeFetcher({}))
    with pytest.raises(ws.SignatureInvalid, match="not PEM"):
        _verify(_signed(rsa_key), FakeFetcher({CERT_URL: FetchResponse(200, b"<html>")}))


def test_other_auth_algorithm_is_refused(rsa_key, pki):
    headers = {**_signed(rsa_key), paypal.AUTH_ALGO: "SHA1withRSA"}
    with pytest.raises(ws.SignatureInvalid, match="unsupported"):
        _verify(headers, FakeFetcher({}), certificates=(pem(pki["self_signed"]),))


def test_tampered_signature_fails(rsa_key, pki):
    headers = _signed(rsa_key)
    raw = bytearray(base64.b64decode(headers[paypal.TRANSMISSION_SIG]))
    raw[0] ^= 1
    headers[paypal.TRANSMISSION_SIG] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(ws.SignatureInvalid, match="does not verify"):
        _verify(headers, FakeFetcher({}), certificates=(pem(pki["self_signed"]),))


def test_real_ca_bundle_is_found():
    assert paypal_certificates._ca_bundle_path()
