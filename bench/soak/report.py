"""The soak's figures, computed from the answers and the fates; kept apart from how they are printed."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench.soak.driver import SendOutcome
from bench.soak.fates import EventFate
from bench.soak.plan import FORGED, FRESH, REDELIVERY

SAMPLES = 10  # problem examples kept per kind of problem


def expected_answer(outcome: SendOutcome) -> bool:
    """A fresh event is received, a re-delivery is answered 200 (normally as a duplicate), a forgery gets 401."""
    if outcome.kind == FORGED:
        return outcome.http_status == 401
    if outcome.http_status != 200 or outcome.detail:
        return False
    if outcome.kind == FRESH:
        return outcome.received
    return outcome.received or outcome.duplicate


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


@dataclass
class SoakReport:
    env: str
    url: str
    count: int
    concurrency: int
    send_seconds: float
    drain_seconds: float
    outcomes: list[SendOutcome]
    fates: dict[str, EventFate]
    load_average: tuple[float, float, float] | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._collect_problems()

    # -- figures ------------------------------------------------------------------------------

    @property
    def accepted(self) -> int:
        return sum(1 for o in self.outcomes if o.http_status == 200 and o.received)

    @property
    def rejected(self) -> int:
        return sum(1 for o in self.outcomes if o.kind == FORGED and o.http_status == 401)

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if o.http_status == 200 and o.duplicate)

    @property
    def unexpected(self) -> int:
        return sum(1 for o in self.outcomes if not expected_answer(o))

    @property
    def accepted_twice(self) -> int:
        """Event keys answered {"received": true} more than once (a re-delivery taken for a new event)."""
        received = Counter(o.event_key for o in self.outcomes if o.http_status == 200 and o.received)
        return sum(1 for n in received.values() if n > 1)

    def _count(self, predicate: Any) -> int:
        return sum(1 for fate in self.fates.values() if predicate(fate))

    def figures(self) -> dict[str, Any]:
        by_kind = Counter(o.kind for o in self.outcomes)
        statuses = Counter(str(o.http_status) for o in self.outcomes)
        accept_ms = [o.latency_ms for o in self.outcomes if o.http_status == 200 and o.received]
        return {
            "sent": len(self.outcomes),
            "fresh": by_kind[FRESH],
            "redeliveries": by_kind[REDELIVERY],
            "forged": by_kind[FORGED],
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "processed": self._count(lambda f: f.processed),
            "in_dlq": self._count(lambda f: f.in_dlq),
            "lost": self._count(lambda f: f.lost),
            "processed_twice": self._count(lambda f: f.processed_twice),
            "unaudited": self._count(lambda f: f.unaudited),
            "accepted_twice": self.accepted_twice,
            "unexpected_statuses": self.unexpected,
            "http_statuses": dict(sorted(statuses.items())),
            "p50_accept_ms": round(percentile(accept_ms, 50), 1),
            "p99_accept_ms": round(percentile(accept_ms, 99), 1),
            "sends_per_s": round(len(self.outcomes) / self.send_seconds, 1) if self.send_seconds else 0.0,
            "send_seconds": round(self.send_seconds, 1),
            "drain_seconds": round(self.drain_seconds, 1),
        }

    @property
    def ok(self) -> bool:
        figures = self.figures()
        return not any(figures[name] for name in ("lost", "processed_twice", "unaudited", "accepted_twice", "unexpected_statuses"))

    # -- problems -----------------------------------------------------------------------------

    def _collect_problems(self) -> None:
        found: dict[str, list[str]] = defaultdict(list)
        for outcome in self.outcomes:
            if not expected_answer(outcome):
                found["unexpected_statuses"].append(
                    f"#{outcome.index} {outcome.kind} {outcome.provider}: HTTP {outcome.http_status} {outcome.detail}".strip()
                )
        received = Counter(o.event_key for o in self.outcomes if o.http_status == 200 and o.received)
        found["accepted_twice"] += [f"{key}: answered {{\"received\": true}} {n} times" for key, n in received.items() if n > 1]
        for fate in self.fates.values():
            if fate.lost:
                found["lost"].append(f"{fate.event_key}: status {fate.status}, not in the DLQ")
            if fate.processed_twice:
                found["processed_twice"].append(f"{fate.event_key}: attempts {fate.attempts}, {fate.transitions} audited transitions")
            if fate.unaudited:
                found["unaudited"].append(f"{fate.event_key}: PROCESSED with no RECEIVED -> PROCESSED audit line")
        self.problems = {kind: lines[:SAMPLES] for kind, lines in found.items() if lines}

    def to_json(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "url": self.url,
            "count": self.count,
            "concurrency": self.concurrency,
            "load_average": list(self.load_average) if self.load_average else None,
            "ok": self.ok,
            "figures": self.figures(),
            "problems": self.problems,
        }


def render_table(report: SoakReport) -> str:
    """The figures as an aligned two-column table, the must-be-zero rows marked."""
    figures = report.figures()
    must_be_zero = ("lost", "processed_twice", "unaudited", "accepted_twice", "unexpected_statuses")
    rows = [
        ("sent", figures["sent"]),
        ("  fresh / re-deliveries / forged", f"{figures['fresh']} / {figures['redeliveries']} / {figures['forged']}"),
        ("accepted", figures["accepted"]),
        ("rejected (expected 401)", figures["rejected"]),
        ("duplicates", figures["duplicates"]),
        ("PROCESSED", figures["processed"]),
        ("in DLQ", figures["in_dlq"]),
        *[(name.replace("_", " "), figures[name]) for name in must_be_zero],
        ("HTTP statuses", ", ".join(f"{k}: {v}" for k, v in figures["http_statuses"].items())),
        ("p50 / p99 accept latency", f"{figures['p50_accept_ms']} ms / {figures['p99_accept_ms']} ms"),
        ("send rate", f"{figures['sends_per_s']}/s over {figures['send_seconds']} s (drain {figures['drain_seconds']} s)"),
    ]
    if report.load_average:
        rows.append(("load average (1/5/15 min)", " ".join(f"{x:.2f}" for x in report.load_average)))
    width = max(len(name) for name, _ in rows)
    lines = [f"soak of env {report.env}: {report.count} sends at concurrency {report.concurrency}", ""]
    for name, value in rows:
        mark = ("  <- must be 0" if value else "") if name.replace(" ", "_") in must_be_zero else ""
        lines.append(f"{name.ljust(width)}  {value}{mark}")
    for kind, samples in report.problems.items():
        lines += ["", f"{kind.replace('_', ' ')} (first {len(samples)}):", *[f"  {sample}" for sample in samples]]
    lines += ["", "PASS" if report.ok else "FAIL"]
    return "\n".join(lines)
