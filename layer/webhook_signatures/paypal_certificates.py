"""PayPal signing certificates: pinned PEMs, or fetched from a PayPal https URL with the chain checked.

A fetched certificate must come from https://paypal.com or a subdomain (port 443, no credentials in the
URL, every redirect hop checked the same way: no SSRF), chain to a root in the CA bundle botocore ships
(else certifi's, else the system's), and carry a subject CN ending in .paypal.com. Verified certificates
are cached by URL; validity dates are checked on every use, against the real clock.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import ssl
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from webhook_signatures.errors import SignatureInvalid

MAX_REDIRECTS = 3
MAX_CERT_BYTES = 65536
FETCH_TIMEOUT_S = 5.0
_CACHE_LIMIT = 32
_HOST = re.compile(r"^[a-z0-9.-]+$")
_UNSENDABLE = re.compile(r"[^\x21-\x7e]")  # http.client refuses spaces, controls and non-ASCII with a ValueError

_fetched: dict[str, Any] = {}  # url -> verified leaf certificate


@dataclass(frozen=True)
class FetchResponse:
    """One HTTP GET, redirects not followed: the status, the body, and the Location of a redirect."""

    status: int
    body: bytes = b""
    location: str | None = None


CertFetcher = Callable[[str], FetchResponse]


def check_cert_url(url: str) -> None:
    """Refuse any certificate URL that is not https on paypal.com or one of its subdomains."""
    if _UNSENDABLE.search(url):
        raise SignatureInvalid("certificate URL has characters a request line cannot carry")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise SignatureInvalid("certificate URL is malformed") from None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        raise SignatureInvalid("certificate URL is not https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise SignatureInvalid("certificate URL carries credentials")
    if port not in (None, 443):
        raise SignatureInvalid("certificate URL uses a non-standard port")
    if not _HOST.match(host) or not (host == "paypal.com" or host.endswith(".paypal.com")):
        raise SignatureInvalid("certificate URL is not on a PayPal host")


def urllib_fetcher(url: str) -> FetchResponse:
    """The default fetcher: one GET over verified TLS, never following redirects itself."""
    import http.client
    import urllib.error
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    try:
        with opener.open(urllib.request.Request(url, method="GET"), timeout=FETCH_TIMEOUT_S) as response:
            return FetchResponse(response.status, response.read(MAX_CERT_BYTES + 1))
    except urllib.error.HTTPError as error:
        return FetchResponse(error.code, b"", error.headers.get("Location"))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise SignatureInvalid(f"certificate could not be fetched ({type(error).__name__})") from None


def _download(url: str, fetcher: CertFetcher) -> bytes:
    for _ in range(MAX_REDIRECTS + 1):
        check_cert_url(url)
        response = fetcher(url)
        if response.status in (301, 302, 303, 307, 308):
            if not response.location:
                raise SignatureInvalid("certificate URL redirects nowhere")
            url = urllib.parse.urljoin(url, response.location)
            continue
        if response.status != 200:
            raise SignatureInvalid(f"certificate URL answered HTTP {response.status}")
        if len(response.body) > MAX_CERT_BYTES:
            raise SignatureInvalid("certificate document is too large")
        return response.body
    raise SignatureInvalid("certificate URL redirects too often")


@functools.lru_cache(maxsize=1)
def trusted_roots():
    """The CA store used to check fetched chains: botocore's bundle when present."""
    from cryptography import x509
    from cryptography.x509.verification import Store

    path = _ca_bundle_path()
    if path is None:
        raise SignatureInvalid("no CA bundle to check the PayPal certificate chain")
    with open(path, "rb") as handle:
        return Store(x509.load_pem_x509_certificates(handle.read()))


def _ca_bundle_path() -> str | None:
    for package, name in (("botocore", "cacert.pem"), ("certifi", "cacert.pem")):
        spec = importlib.util.find_spec(package)  # locates without importing (botocore is slow to import)
        if spec and spec.submodule_search_locations:
            candidate = os.path.join(list(spec.submodule_search_locations)[0], name)
            if os.path.isfile(candidate):
                return candidate
    cafile = ssl.get_default_verify_paths().cafile
    return cafile if cafile and os.path.isfile(cafile) else None


def _check_chain(leaf: Any, intermediates: list[Any]) -> None:
    from cryptography.x509 import verification

    builder = verification.PolicyBuilder().store(trusted_roots()).time(utc_now())
    if hasattr(verification, "ExtensionPolicy"):
        # A signing certificate is neither a TLS server nor client certificate: skip the EKU/SAN rules.
        builder = builder.extension_policies(
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=verification.ExtensionPolicy.permit_all(),
        )
    try:
        builder.build_client_verifier().verify(leaf, intermediates)
    except verification.VerificationError:
        raise SignatureInvalid("certificate chain does not lead to a trusted root") from None


def _check_common_name(cert: Any) -> None:
    from cryptography.x509.oid import NameOID

    names = [attr.value for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if not names or not all(isinstance(n, str) and n.lower().endswith(".paypal.com") for n in names):
        raise SignatureInvalid("certificate subject CN is not a .paypal.com name")


def fetch_certificate(url: str, fetcher: CertFetcher | None = None) -> Any:
    """The verified signing certificate at `url` (cached by URL)."""
    cached = _fetched.get(url)
    if cached is not None:
        return cached
    from cryptography import x509

    document = _download(url, fetcher or urllib_fetcher)
    try:
        chain = x509.load_pem_x509_certificates(document)
    except ValueError:
        raise SignatureInvalid("certificate document is not PEM") from None
    leaf, intermediates = chain[0], chain[1:]
    _check_common_name(leaf)
    _check_chain(leaf, intermediates)
    if len(_fetched) >= _CACHE_LIMIT:
        _fetched.clear()
    _fetched[url] = leaf
    return leaf


@functools.lru_cache(maxsize=16)
def pinned_certificate(pem: str) -> Any:
    """The first certificate of a pinned PEM (trusted as is: the operator pinned it)."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates(pem.encode())[0]
    except (ValueError, IndexError):
        raise SignatureInvalid("a pinned PayPal certificate is not PEM") from None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def within_validity(cert: Any, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
