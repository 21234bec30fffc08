"""Which strings a leaked secret would show up as, and where in captured text any of them occurs.

A leak is rarely the raw value alone: a key may be logged without its `whsec_` prefix, as the
bytes it decodes to (hex or base64), hex in either case, or a PEM key one line at a time.
Reports never contain the value itself, only its fingerprint and the form that matched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

MIN_FORM = 16  # shorter fragments would match by chance
PREFIXES = ("whsec_", "whsk_", "whpk_")
PEM_LINE = re.compile(r"^[A-Za-z0-9+/=]{%d,}$" % MIN_FORM)


@dataclass(frozen=True)
class Leak:
    source: str
    secret: str  # fingerprint, never the value
    form: str

    def __str__(self) -> str:
        return f"{self.source}: secret {self.secret} appears as {self.form}"


def fingerprint(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12]


def secret_values(document: Mapping[str, Any]) -> list[str]:
    """Every secret value of an env's secret document (paypal's webhook id and certificates are public)."""
    values: list[str] = []
    for entry in document.values():
        if not isinstance(entry, Mapping):
            continue
        values += [v for v in entry.get("secrets", []) if isinstance(v, str)]
        if isinstance(entry.get("signing_key"), str):
            values.append(entry["signing_key"])
    return values


def _encodings(raw: bytes) -> dict[str, str]:
    return {
        "hex": raw.hex(),
        "base64": base64.b64encode(raw).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


def leak_forms(value: str) -> dict[str, str]:
    """form name -> the string that form would show (hex forms are matched case-insensitively)."""
    forms = {"value": value, "URL-encoded value": urllib.parse.quote(value, safe="")}
    forms.update({f"{name} of the value": text for name, text in _encodings(value.encode()).items()})
    core = value
    for prefix in PREFIXES:
        if value.startswith(prefix):
            core = value[len(prefix):]
            forms["value without its prefix"] = core
    try:
        key = base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) >= MIN_FORM // 2 and core != value:
        forms.update({f"{name} of the decoded key": text for name, text in _encodings(key).items()})
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value):
        forms.update({f"{name} of the hex key": text for name, text in _encodings(bytes.fromhex(value)).items()})
    if "-----BEGIN" in value:
        body = [line.strip() for line in value.splitlines() if PEM_LINE.match(line.strip())]
        forms.update({f"PEM line {i + 1}": line for i, line in enumerate(body)})
        forms["PEM body joined"] = "".join(body)
    return {name: text for name, text in forms.items() if len(text) >= MIN_FORM and (name == "value" or text != value)}


def find_leaks(captured: Mapping[str, str], values: Iterable[str]) -> list[Leak]:
    """Every (source, secret, form) where a form of a secret occurs in captured text."""
    patterns = []
    for value in values:
        for form, text in leak_forms(value).items():
            flags = re.IGNORECASE if re.fullmatch(r"[0-9a-fA-F]+", text) else 0
            patterns.append((fingerprint(value), form, re.compile(re.escape(text), flags)))
    return [
        Leak(source, secret, form)
        for source, text in captured.items()
        for secret, form, pattern in patterns
        if pattern.search(text)
    ]
