"""WAF (v2) rate-based rules, enforced per source IP for a web ACL associated with a stage."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

DEFAULT_WINDOW_S = 300


@dataclass(frozen=True)
class RateRule:
    name: str
    priority: int
    limit: int
    window_s: int
    blocks: bool  # action Block (Count only counts)


def rate_rules(rules: list[Any]) -> tuple[RateRule, ...]:
    """The IP-keyed rate-based rules of a web ACL (moto FakeRule objects or plain dicts), by priority."""
    found = []
    for rule in rules:
        statement = _field(rule, "statement", "Statement") or {}
        rate = statement.get("RateBasedStatement")
        if not rate or rate.get("AggregateKeyType", "IP") != "IP" or rate.get("ScopeDownStatement"):
            continue  # only the plain per-IP form is enforced locally
        action = _field(rule, "action", "Action") or {}
        found.append(
            RateRule(
                name=_field(rule, "name", "Name") or "",
                priority=int(_field(rule, "priority", "Priority") or 0),
                limit=int(rate["Limit"]),
                window_s=int(rate.get("EvaluationWindowSec") or DEFAULT_WINDOW_S),
                blocks="Block" in action,
            )
        )
    return tuple(sorted(found, key=lambda r: r.priority))


def _field(rule: Any, attribute: str, key: str) -> Any:
    return rule.get(key) if isinstance(rule, dict) else getattr(rule, attribute, None)


class RateCounter:
    """Requests per (web ACL, rule, source IP) over a sliding window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._seen: dict[tuple[str, str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, acl_arn: str, rules: tuple[RateRule, ...], source_ip: str) -> bool:
        """Count this request against every rate rule; True when a Block rule's limit is exceeded."""
        now = self._clock()
        verdict = False
        with self._lock:
            for rule in rules:
                seen = self._seen.setdefault((acl_arn, rule.name, source_ip), deque())
                while seen and seen[0] <= now - rule.window_s:
                    seen.popleft()
                seen.append(now)
                if rule.blocks and len(seen) > rule.limit:
                    verdict = True
        return verdict
