"""A received delivery as the schemes read it: lower-cased headers, raw body, JSON parsed at most once."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from webhook_signatures.errors import MalformedBody

_UNPARSED = object()
_INVALID = object()


class LowerCaseHeaders(dict):
    """Headers already keyed by lower-case name: a caller that normalised them once passes them as they are."""

    __slots__ = ()


def lower_case_headers(headers: Mapping[str, str] | None) -> LowerCaseHeaders:
    """The headers by lower-case name; when two names differ only in case, the later one wins."""
    lowered = LowerCaseHeaders()
    for name, value in (headers or {}).items():
        lowered[name.lower()] = value
    return lowered


class Request:
    __slots__ = ("headers", "body", "_json")

    def __init__(self, headers: Mapping[str, str] | None, body: bytes):
        # Exactly LowerCaseHeaders (not a look-alike subclass): its names are lower-case by construction.
        if type(headers) is LowerCaseHeaders:
            self.headers: Mapping[str, str] = headers
        else:
            self.headers = {name.lower(): value for name, value in (headers or {}).items()}
        self.body = body
        self._json: Any = _UNPARSED

    def header(self, name: str) -> str | None:
        """The header's value, by lower-case name; None when absent."""
        return self.headers.get(name)

    def json(self) -> Any:
        """The body as JSON (parsed once); MalformedBody when it is not JSON."""
        if self._json is _UNPARSED:
            try:
                self._json = _loads(self.body)
            except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting is not JSON we read
                self._json = _INVALID
        if self._json is _INVALID:
            raise MalformedBody()
        return self._json

    def body_field(self, key: str) -> Any:
        """A top-level field of a JSON-object body; None when absent or the body is not an object."""
        document = self.json()
        return document.get(key) if isinstance(document, dict) else None

    def body_sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def id_or_body_hash(self, value: Any) -> str:
        """The provider's event id, or the body's SHA-256 when the provider left it empty."""
        text = id_text(value)
        return text if text else self.body_sha256()



_decode_text = json.JSONDecoder().decode  # what json.loads uses for text when given no options


def _loads(body: bytes) -> Any:
    """json.loads(body), without its encoding detection for the usual body: "{" or "[" then a non-NUL byte.

    json.loads reads such bytes as UTF-8 (no BOM, and no NUL where UTF-16/32 would put one) and decodes
    them with surrogatepass, exactly as here; anything else goes through json.loads itself.
    """
    if type(body) is bytes and body[:1] in (b"{", b"[") and body[1:2] != b"\x00":
        return _decode_text(body.decode("utf-8", "surrogatepass"))
    return json.loads(body)


def id_text(value: Any) -> str | None:
    """An id or type as text; None for empty or non-scalar values."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
