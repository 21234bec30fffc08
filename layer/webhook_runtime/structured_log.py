"""One JSON object per line on stdout, which Lambda ships to the function's log group.

Fields whose names say they hold a secret or a signature are always written as "[redacted]":
a handler that passes headers along by mistake still does not leak them.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any, TextIO

from webhook_runtime.compact_json import compact_encoder
from webhook_runtime.timestamps import iso_utc

_encode = compact_encoder(default=str)  # built once, not per line
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}
REDACTED = "[redacted]"
_SENSITIVE_WORDS = ("secret", "signature", "authorization", "password", "token", "hmac", "signing", "-sig")


_sensitivity: dict[str, bool] = {}  # field names are few: decide each one once


def _is_sensitive(name: str) -> bool:
    decided = _sensitivity.get(name)
    if decided is None:
        lowered = name.lower()
        decided = _sensitivity[name] = any(word in lowered for word in _SENSITIVE_WORDS)
    return decided


def _redact(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` itself when nothing in it needs redacting (the usual case), else a redacted copy."""
    decided = _sensitivity.get
    for name, value in fields.items():
        if decided(name, True) or isinstance(value, dict):  # a name not decided yet takes the slow path
            break
    else:
        return fields
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if _is_sensitive(name):
            clean[name] = REDACTED
        elif isinstance(value, dict):
            clean[name] = _redact(value)
        else:
            clean[name] = value
    return clean


class JsonLogger:
    """A logger with bound fields (service, request_id, event_key, ...) added to every line."""

    __slots__ = ("service", "_stream", "_threshold", "_fields")  # bound once or twice per request

    def __init__(self, service: str, *, stream: TextIO | None = None, level: str | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        self.service = service
        self._stream = stream
        self._threshold = LEVELS.get((level or os.environ.get("LOG_LEVEL") or "INFO").upper(), 20)
        self._fields = _redact(dict(fields or {}))  # a copy: the caller's dict may change later

    def bind(self, **fields: Any) -> "JsonLogger":
        """A logger writing to the same place, with `fields` added to every line."""
        bound = JsonLogger.__new__(JsonLogger)
        bound.service = self.service
        bound._stream = self._stream
        bound._threshold = self._threshold
        bound._fields = {**self._fields, **_redact(fields)}  # redacted once, here, not on every line
        return bound

    def debug(self, message: str, **fields: Any) -> None:
        self._write("DEBUG", message, fields)

    def info(self, message: str, **fields: Any) -> None:
        self._write("INFO", message, fields)

    def warning(self, message: str, **fields: Any) -> None:
        self._write("WARNING", message, fields)

    def error(self, message: str, **fields: Any) -> None:
        self._write("ERROR", message, fields)

    def exception(self, message: str, error: BaseException, **fields: Any) -> None:
        """An ERROR line naming the exception, with its traceback as one string."""
        details = {
            "error": type(error).__name__,
            "error_message": str(error),
            "traceback": "".join(traceback.format_exception(error)).rstrip(),
        }
        self._write("ERROR", message, {**details, **fields})

    def _write(self, level: str, message: str, fields: dict[str, Any]) -> None:
        if LEVELS[level] < self._threshold:
            return
        record = {"time": iso_utc(time.time()), "level": level, "service": self.service, "message": message}
        record.update(self._fields)
        if fields:
            record.update(_redact(fields))
        stream = self._stream or sys.stdout
        stream.write(_encode(record) + "\n")
        stream.flush()
