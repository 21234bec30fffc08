"""A received delivery as the schemes read it: lower-cased headers, raw body, JSON parsed at most once."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from webhook_signatures.errors import MalformedBody

_UNPARSED = object()
_INVALID = object()


class Request:
    __slots__ = ("headers", "body", "_json")

    def __init__(self, headers: Mapping[str, str] | None, body: bytes):
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
                self._json = json.loads(self.body)
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



def id_text(value: Any) -> str | None:
    """An id or type as text; None for empty or non-scalar values."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
