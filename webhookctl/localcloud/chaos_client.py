"""Set or clear fault injection on a running local cloud through its admin endpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webhookctl.errors import UsageError, WebhookctlError
from webhookctl.localcloud.admin import COMPONENTS


@dataclass(frozen=True)
class ChaosResult:
    endpoint: str
    chaos: list[dict[str, Any]]  # [{"function", "error_rate", "latency_ms"}] now in force

    def to_json(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "chaos": self.chaos}


def set_chaos(endpoint: str, component: str, error_rate: float, latency_ms: int) -> ChaosResult:
    if component not in COMPONENTS:
        raise UsageError(f"--function must be one of {', '.join(COMPONENTS)} (got {component!r})")
    if not 0.0 <= error_rate <= 1.0:
        raise UsageError(f"--error-rate must be from 0 to 1 (got {error_rate:g})")
    if latency_ms < 0:
        raise UsageError(f"--latency-ms must not be negative (got {latency_ms})")
    body = {"function": component, "error_rate": error_rate, "latency_ms": latency_ms}
    return ChaosResult(endpoint, _call(endpoint, "POST", body)["chaos"])


def clear_chaos(endpoint: str) -> ChaosResult:
    return ChaosResult(endpoint, _call(endpoint, "DELETE", None)["chaos"])


def current_chaos(endpoint: str) -> ChaosResult:
    return ChaosResult(endpoint, _call(endpoint, "GET", None)["chaos"])


def _call(endpoint: str, method: str, body: dict[str, Any] | None) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{endpoint}/_webhookctl/chaos", data=data, method=method, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message", "")
        except ValueError:
            message = ""
        raise WebhookctlError(f"the local cloud refused the chaos setting: {message or exc.reason}", code=1) from None
    except (OSError, ValueError) as exc:
        raise WebhookctlError(f"cannot reach the local cloud at {endpoint}: {exc}", code=1, hint="webhookctl local status") from None
