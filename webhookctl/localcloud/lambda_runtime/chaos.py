"""Fault injection: an error rate and added latency per pipeline component, in every env."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from webhookctl.localcloud.lambda_runtime.functions import FunctionSpec
from webhookctl.names import TAG_APP, TAG_ENV


@dataclass(frozen=True)
class ChaosRule:
    error_rate: float
    latency_ms: int


@dataclass(frozen=True)
class ChaosOutcome:
    fail: bool
    latency_ms: int


class Chaos:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, ChaosRule] = {}
        self._random = random.Random()

    def set(self, component: str, error_rate: float, latency_ms: int) -> None:
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError("error rate must be between 0 and 1")
        if latency_ms < 0:
            raise ValueError("latency must not be negative")
        with self._lock:
            if error_rate == 0 and latency_ms == 0:
                self._rules.pop(component, None)
            else:
                self._rules[component] = ChaosRule(error_rate, int(latency_ms))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> dict[str, ChaosRule]:
        with self._lock:
            return dict(self._rules)

    def roll(self, spec: FunctionSpec) -> ChaosOutcome | None:
        """What chaos does to this invocation, or None when no rule applies."""
        if not self._rules:
            return None
        component = component_of(spec)
        with self._lock:
            rule = self._rules.get(component) if component else None
            if rule is None:
                return None
            fail = rule.error_rate > 0 and self._random.random() < rule.error_rate
        return ChaosOutcome(fail=fail, latency_ms=rule.latency_ms)


def component_of(spec: FunctionSpec) -> str | None:
    """The component in a function named {app}-{component}-{env}, per its tags."""
    app, env = spec.tag(TAG_APP), spec.tag(TAG_ENV)
    if not app or not env:
        return None
    head, tail = f"{app}-", f"-{env}"
    if spec.name.startswith(head) and spec.name.endswith(tail) and len(spec.name) > len(head) + len(tail):
        return spec.name[len(head):-len(tail)]
    return None
