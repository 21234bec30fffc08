"""PayPal certificate fetching cannot be pointed anywhere but https PayPal hosts (SSRF).

Complements tests/layer/webhook_signatures/test_paypal_certificates.py: more URL tricks, every redirect hop,
a differential check against the URL parser urllib actually connects with, and the default fetcher's
refusal to follow redirects by itself.
"""

from __future__ import annotations

import http.server
from typing import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import webhook_signatures as ws
from tests.fuzz.fuzz_settings import fuzz
from tests.fuzz.local_http import serving
from tests.fuzz.paypal_urls import assert_fetchable_paypal_url
from webhook_signatures import paypal, paypal_certificates
from webhook_signatures.paypal_certificates import FetchResponse, check_cert_url

CERT_URL = "https://api.paypal.com/v1/notifications/certs/CERT-1"
BODY = b'{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}'


class RecordingFetcher:
    """Answers from a URL -> FetchResponse table (404 otherwise) and records every URL asked for."""

    def __init__(self, answers: dict[str, FetchResponse] | None = None):
        self.answers = answers or {}
        self.urls: list[str] = []

    def __call__(self, url: str) -> FetchResponse:
        self.urls.append(url)
        return self.answers.get(url, FetchResponse(404))


@pytest.fixture(autouse=True)
def no_cached_certificates() -> Iterator[None]:
    paypal_certificates._fetched.clear()
    yield
    paypal_certificates._fetched.clear()


def verify_with_cert_url(configs, url: str, fetcher: RecordingFetcher) -> None:
    config = configs["paypal"]
    headers = {**ws.sign("paypal", BODY, config).headers, paypal.CERT_URL: url}
    ws.verify("paypal", headers, BODY, config._replace(certificates=()), cert_fetcher=fetcher)


@pytest.mark.parametrize("url", [
    "HTTP://API.PAYPAL.COM/cert",
    "https://api.paypal.com:80/cert",
    "https://api.paypal.com:65536/cert",
    "https://api.paypal.com:-1/cert",
    "https://api.paypal.com./cert",  # trailing dot: a different name to a resolver
    "https://api%2epaypal.com/cert",
    "https://api.paypal\u3002com/cert",  # ideographic full stop, which IDNA maps to "."
    "https://p\u0430ypal.com/cert",  # Cyrillic a
    "https://api.paypal.com\\@evil.example/cert",
    "https://evil.example#.paypal.com",
    "https://evil.example?.paypal.com",
    "https://evil.example/.paypal.com",
    "https://evil.example\\.paypal.com/cert",
    "https://[::1]/cert",
    "https://127.0.0.1/cert",
    "https://2130706433/cert",  # 127.0.0.1 as one integer
    "https://0x7f000001/cert",
    "https://localhost/cert",
    "https://metadata.google.internal/cert",
    "https://api.paypal.com:@evil.example/cert",
    "https://:@api.paypal.com/cert",
    "ftp://api.paypal.com/cert",
    "gopher://api.paypal.com/cert",
    "//api.paypal.com/cert",
    "api.paypal.com/cert",
    "",
    "https://",
    "https://api.paypal.com\r\nHost: evil.example/cert",
    "https://api.paypal.com\x00.evil.example/cert",
])
def test_more_non_paypal_urls_are_refused_without_fetching(configs, url):
    fetcher = RecordingFetcher()
    with pytest.raises(ws.SignatureInvalid, match="certificate URL|missing PAYPAL-CERT-URL"):
        verify_with_cert_url(configs, url, fetcher)
    assert fetcher.urls == []


@pytest.mark.parametrize("location", [
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1/cert",
    "https://user:pass@api.paypal.com/cert",
    "https://api.paypal.com:8443/cert",
    "https://paypal.com.evil.example/cert",
    "https://api.paypal.com@evil.example/cert",
    "file:///etc/passwd",
    "ftp://api.paypal.com/cert",
    "http://127.0.0.1:4566/",
])
def test_redirects_off_paypal_are_refused_before_they_are_fetched(configs, location):
    fetcher = RecordingFetcher({CERT_URL: FetchResponse(302, location=location),
                                location: FetchResponse(200, b"-----BEGIN CERTIFICATE-----")})
    with pytest.raises(ws.SignatureInvalid, match="certificate URL"):
        verify_with_cert_url(configs, CERT_URL, fetcher)
    assert fetcher.urls == [CERT_URL]


def test_every_hop_of_a_redirect_chain_is_checked(configs):
    second = "https://www.paypal.com/certs/moved"
    fetcher = RecordingFetcher({
        CERT_URL: FetchResponse(301, location=second),
        second: FetchResponse(307, location="https://evil.example/cert"),
    })
    with pytest.raises(ws.SignatureInvalid, match="not on a PayPal host"):
        verify_with_cert_url(configs, CERT_URL, fetcher)
    assert fetcher.urls == [CERT_URL, second]


def test_relative_redirects_stay_on_the_paypal_host(configs):
    fetcher = RecordingFetcher({CERT_URL: FetchResponse(302, location="/v1/notifications/certs/CERT-2")})
    with pytest.raises(ws.SignatureInvalid, match="HTTP 404"):
        verify_with_cert_url(configs, CERT_URL, fetcher)
    assert fetcher.urls == [CERT_URL, "https://api.paypal.com/v1/notifications/certs/CERT-2"]


def test_a_redirect_without_a_location_is_refused(configs):
    fetcher = RecordingFetcher({CERT_URL: FetchResponse(302)})
    with pytest.raises(ws.SignatureInvalid, match="redirects nowhere"):
        verify_with_cert_url(configs, CERT_URL, fetcher)
    assert fetcher.urls == [CERT_URL]


def test_pinned_certificates_mean_the_cert_url_is_never_fetched(configs):
    fetcher = RecordingFetcher()
    headers = {**ws.sign("paypal", BODY, configs["paypal"]).headers, paypal.CERT_URL: "https://169.254.169.254/"}
    assert ws.verify("paypal", headers, BODY, configs["paypal"], cert_fetcher=fetcher).event_id == "WH-1"
    assert fetcher.urls == []


# --- differential: what check_cert_url accepts is what urllib would connect to ---------------------------

_hosts = st.one_of(
    st.sampled_from(["paypal.com", "api.paypal.com", "www.sandbox.paypal.com", "evil.example", "paypal.com.evil.example",
                     "evilpaypal.com", "127.0.0.1", "[::1]", "169.254.169.254", "PAYPAL.COM", "api.paypal.com."]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-@:\\#?/%[]", max_size=25),
)
_urls = st.builds(
    lambda scheme, userinfo, host, port, tail: f"{scheme}{userinfo}{host}{port}{tail}",
    st.sampled_from(["https://", "http://", "HTTPS://", "https:/", "https:///", "", "file://"]),
    st.sampled_from(["", "user@", "user:pass@", "api.paypal.com@", ":@"]),
    _hosts,
    st.sampled_from(["", ":443", ":8443", ":", ":0", ":99999"]),
    st.one_of(st.sampled_from(["/cert", "", "#@evil.example", "?x=@evil.example", "\\@evil.example/", "/.paypal.com"]),
              st.text(max_size=15)),
)


@fuzz(300)
@given(url=_urls)
def test_accepted_urls_connect_only_to_paypal_over_https(url):
    try:
        check_cert_url(url)
    except ws.SignatureInvalid:
        return
    assert_fetchable_paypal_url(url)


# --- the default fetcher never follows a redirect itself ------------------------------------------------

@pytest.fixture
def redirecting_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server answering 302 to /cert (towards /elsewhere) and recording every path asked for."""
    def answer(request: http.server.BaseHTTPRequestHandler) -> None:
        if request.path == "/cert":
            request.send_response(302)
            request.send_header("Location", "/elsewhere")
            request.end_headers()
        else:
            request.send_response(200)
            request.end_headers()
            request.wfile.write(b"followed")

    with serving(answer) as (base, hits):
        yield base, hits


def test_the_default_fetcher_returns_redirects_instead_of_following_them(redirecting_server):
    base, hits = redirecting_server
    response = paypal_certificates.urllib_fetcher(base + "/cert")  # the URL check is _download's job
    assert (response.status, response.location) == (302, "/elsewhere")
    assert hits == ["/cert"]
