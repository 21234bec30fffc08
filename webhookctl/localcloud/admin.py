"""The local cloud's own endpoints under /_webhookctl/: the health probe and fault injection."""

from __future__ import annotations

import json
import os
import platform
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from webhookctl import __version__
from webhookctl.localcloud.overlay_chain import Forward, json_response

PREFIX = "/_webhookctl/"
COMPONENTS = ("receiver", "processor", "audit")


class ChaosTarget(Protocol):
    def set_chaos(self, component: str, error_rate: float, latency_ms: int) -> None: ...

    def clear_chaos(self) -> None: ...


def host_arch() -> str:
    """The Lambda architecture name of this machine (functions run here natively)."""
    machine = platform.machine().lower()
    return "arm64" if machine in ("arm64", "aarch64") else "x86_64" if machine in ("x86_64", "amd64") else machine


@dataclass(frozen=True)
class ChaosSetting:
    component: str
    error_rate: float = 0.0
    latency_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"function": self.component, "error_rate": self.error_rate, "latency_ms": self.latency_ms}


def parse_chaos(document: Any) -> ChaosSetting:
    """A validated chaos setting from the admin request body; ValueError says what is wrong."""
    if not isinstance(document, dict):
        raise ValueError("the body must be a JSON object")
    component = document.get("function")
    if component not in COMPONENTS:
        raise ValueError(f"function must be one of {', '.join(COMPONENTS)}")
    rate = document.get("error_rate", 0.0)
    latency = document.get("latency_ms", 0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
        raise ValueError("error_rate must be a number from 0 to 1")
    if isinstance(latency, bool) or not isinstance(latency, int) or latency < 0:
        raise ValueError("latency_ms must be a non-negative integer")
    return ChaosSetting(component, float(rate), latency)


@dataclass
class AdminEndpoints:
    """GET health; GET/POST/DELETE chaos. Answers only paths under /_webhookctl/."""

    runtime: ChaosTarget
    chaos: dict[str, ChaosSetting] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request, forward: Forward) -> Response | None:
        if not request.path.startswith(PREFIX):
            return None
        name = request.path[len(PREFIX):].strip("/")
        if name == "health" and request.method == "GET":
            document = {"local_cloud": True, "version": __version__, "pid": os.getpid(), "arch": host_arch()}
            tables = getattr(getattr(self.runtime, "config", None), "table_endpoint_url", None)
            if tables:
                document["tables"] = tables  # where DynamoDB runs, for debugging
            return json_response(200, document)
        if name == "chaos":
            return self._chaos(request)
        return json_response(404, {"message": f"no such endpoint: {request.method} {request.path}"})

    def _chaos(self, request: Request) -> Response:
        if request.method == "GET":
            return json_response(200, {"chaos": [s.to_json() for s in self.chaos.values()]})
        if request.method == "DELETE":
            with self._lock:
                self.runtime.clear_chaos()
                self.chaos.clear()
            return json_response(200, {"chaos": []})
        if request.method == "POST":
            try:
                setting = parse_chaos(json.loads(request.get_data() or b"null"))
            except ValueError as exc:
                return json_response(400, {"message": str(exc)})
            with self._lock:
                self.runtime.set_chaos(setting.component, setting.error_rate, setting.latency_ms)
                if setting.error_rate or setting.latency_ms:
                    self.chaos[setting.component] = setting
                else:
                    self.chaos.pop(setting.component, None)
                current = [s.to_json() for s in self.chaos.values()]
            return json_response(200, {"chaos": current})
        return json_response(405, {"message": f"{request.method} is not allowed here"})
