"""A preflight check's result, and the wording every check shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUSES = ("pass", "fail", "skip", "warn")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    status: str  # pass | fail | skip | warn

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "status": self.status}


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail, "pass")


def failed(name: str, detail: str) -> Check:
    return Check(name, False, detail, "fail")


def skipped(name: str, detail: str) -> Check:
    return Check(name, True, detail, "skip")


def warned(name: str, detail: str) -> Check:
    return Check(name, True, detail, "warn")


def describe_error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        message = (error.get("Message") or "").strip().splitlines()
        return f"{error.get('Code', 'error')}" + (f": {message[0]}" if message else "")
    return str(exc) or type(exc).__name__
