"""What the soak sends, in order: fresh events, provider re-deliveries of earlier ones, and forgeries.

The plan is plain data, decided up front from a seed, so a run can be repeated. Signing happens
at send time, so timestamps are fresh however long the run takes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FRESH, REDELIVERY, FORGED = "fresh", "redelivery", "forged"
# How a forgery is made: a real signature by a key the env never had, or a valid one too old to accept.
WRONG_KEY, STALE = "wrong-key", "stale"


@dataclass(frozen=True)
class PlannedSend:
    index: int
    kind: str  # fresh | redelivery | forged
    provider: str
    original: int | None = None  # for a re-delivery: the index of the fresh send it repeats
    forgery: str | None = None  # for a forged send: wrong-key | stale


@dataclass(frozen=True)
class PlanShape:
    count: int
    redelivery_share: float = 0.10
    forged_share: float = 0.05
    # A re-delivery repeats an event sent at least this many sends earlier, so it usually follows
    # the original's answer, as a provider's retry does (the sender still waits for that answer).
    min_gap: int = 64

    def counts(self) -> tuple[int, int, int]:
        """(fresh, redelivery, forged)."""
        forged = round(self.count * self.forged_share)
        redelivered = round(self.count * self.redelivery_share)
        return self.count - forged - redelivered, redelivered, forged


def plan_sends(shape: PlanShape, providers: tuple[str, ...], timestamped: tuple[str, ...], *, seed: int = 0) -> list[PlannedSend]:
    """Every send of the soak; providers take turns, and each re-delivery names an earlier fresh send."""
    if shape.count < 1:
        raise ValueError("the soak needs at least one send")
    if not providers:
        raise ValueError("the soak needs at least one provider")
    rng = random.Random(seed)
    fresh, redelivered, forged = shape.counts()
    if redelivered and not fresh:
        raise ValueError("re-deliveries need fresh events to repeat")
    kinds = [FRESH] * fresh + [REDELIVERY] * redelivered + [FORGED] * forged
    rng.shuffle(kinds)
    gap = min(shape.min_gap, max(1, fresh // 2))
    _move_redeliveries_after_originals(kinds, gap)

    sends: list[PlannedSend] = []
    fresh_positions: list[int] = []
    turn = {FRESH: 0, FORGED: 0}
    for index, kind in enumerate(kinds):
        if kind == REDELIVERY:
            eligible = [p for p in fresh_positions if p <= index - gap] or fresh_positions
            original = rng.choice(eligible)
            sends.append(PlannedSend(index, REDELIVERY, sends[original].provider, original=original))
            continue
        provider = providers[turn[kind] % len(providers)]
        turn[kind] += 1
        if kind == FRESH:
            fresh_positions.append(index)
            sends.append(PlannedSend(index, FRESH, provider))
        else:
            # Alternate the two forgeries where the scheme has a timestamp to make stale.
            stale = provider in timestamped and (turn[kind] // len(providers)) % 2 == 1
            sends.append(PlannedSend(index, FORGED, provider, forgery=STALE if stale else WRONG_KEY))
    return sends


def _move_redeliveries_after_originals(kinds: list[str], gap: int) -> None:
    """Swap each re-delivery that has no fresh send `gap` places before it with the next fresh send."""
    seen_fresh: list[int] = []
    index = 0
    while index < len(kinds):
        if kinds[index] == FRESH:
            seen_fresh.append(index)
        elif kinds[index] == REDELIVERY and not any(p <= index - gap for p in seen_fresh):
            later = next((j for j in range(index + 1, len(kinds)) if kinds[j] == FRESH), None)
            if later is None:
                break  # no fresh send left to trade places with: it repeats the nearest earlier one
            kinds[index], kinds[later] = FRESH, REDELIVERY
            seen_fresh.append(index)
        index += 1
