"""Compact JSON text for log lines and small response bodies, through the C encoder built once.

json.JSONEncoder.encode builds a new C encoder on every call; on a warm path that set-up costs more
than encoding a ten-field record. The text is the same as
json.dumps(value, separators=(",", ":"), default=default).
"""

from __future__ import annotations

import json
from json import encoder as _json_encoder
from typing import Any, Callable


def compact_encoder(default: Callable[[Any], Any] | None = None) -> Callable[[Any], str]:
    """encode(value) -> compact JSON text; for acyclic values (a cycle raises RecursionError)."""
    make = _json_encoder.c_make_encoder
    if make is None:  # an interpreter without the C speedups
        return json.JSONEncoder(default=default or _refuse, separators=(",", ":")).encode
    # Circular-reference tracking is off (markers=None): the records encoded here are flat and built
    # per call, and a shared marker table could keep stale entries after a failed encode.
    iterencode = make(None, default or _refuse, _json_encoder.encode_basestring_ascii, None, ":", ",",
                      False, False, True)

    def encode(value: Any) -> str:
        return "".join(iterencode(value, 0))

    return encode


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
