"""HMAC-SHA256 and the constant-time comparison every HMAC scheme uses."""

from __future__ import annotations

import base64
import functools
import hmac
from typing import Any, Iterable

from webhook_signatures.errors import SignatureInvalid


try:  # OpenSSL's HMAC object: copy/update/digest run without the Python wrapper's extra frames
    from _hashlib import hmac_new as _openssl_hmac_new
except ImportError:  # an interpreter built without OpenSSL
    _openssl_hmac_new = None


@functools.lru_cache(maxsize=128)
def _keyed(key: bytes) -> Any:
    # Copying a keyed HMAC skips key setup and the digest lookup: measurably faster on the warm path.
    if _openssl_hmac_new is not None:
        try:
            return _openssl_hmac_new(key, digestmod="sha256")
        except ValueError:  # OpenSSL refused (e.g. a FIPS policy on the key): hmac.new decides as before
            pass
    return hmac.new(key, digestmod="sha256")


def digest(key: bytes, *parts: bytes) -> bytes:
    """HMAC-SHA256 of the concatenated parts (without building the concatenation)."""
    mac = _keyed(key).copy()
    for part in parts:
        mac.update(part)
    return mac.digest()


def b64_digest(key: bytes, *parts: bytes) -> bytes:
    return base64.b64encode(digest(key, *parts))


def hex_digest(key: bytes, *parts: bytes) -> bytes:
    return digest(key, *parts).hex().encode()


def any_match(provided: Iterable[bytes], expected: Iterable[bytes]) -> bool:
    """True when some provided signature equals some expected one; compares every pair (no early exit)."""
    expected = list(expected)
    matched = False
    for candidate in provided:
        for wanted in expected:
            matched |= hmac.compare_digest(candidate, wanted)
    return matched


def as_bytes(value: str) -> bytes:
    """A header value as bytes for compare_digest (which refuses non-ASCII str); lone surrogates never match."""
    return value.strip().encode("utf-8", "surrogatepass")


def require_secrets(secrets: tuple[str, ...], provider: str) -> tuple[str, ...]:
    if not secrets:
        raise SignatureInvalid(f"no {provider} secret configured")
    return secrets
