"""Account concurrency arithmetic: do this env's reservations leave enough unreserved concurrency?

Lambda refuses a reservation that would push the account's unreserved concurrency
below 100, and a function with reserved concurrency 0 is throttled completely.
Pure functions only, so the policy can be tested exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass

MINIMUM_UNRESERVED = 100  # AWS's floor for unreserved concurrency


def unreserved_after(unreserved_now: int, existing: dict[str, int], reservations: dict[str, int | None]) -> int:
    """Unreserved concurrency once `reservations` replace this env's `existing` ones (None = no reservation)."""
    return unreserved_now + sum(existing.values()) - sum(value or 0 for value in reservations.values())


@dataclass(frozen=True)
class ConcurrencyDecision:
    """What was asked, what fits, and the numbers behind it."""

    account_limit: int
    unreserved_now: int
    existing: dict[str, int]
    requested: dict[str, int | None]
    fitted: dict[str, int | None]
    minimum: int = MINIMUM_UNRESERVED

    @property
    def pool(self) -> int:
        """Unreserved concurrency if this env reserved nothing at all."""
        return self.unreserved_now + sum(self.existing.values())

    @property
    def budget(self) -> int:
        """The most this env may reserve in total and still leave `minimum` unreserved."""
        return max(0, self.pool - self.minimum)

    @property
    def requested_total(self) -> int:
        return sum(value or 0 for value in self.requested.values())

    @property
    def fits(self) -> bool:
        """True when the requested reservations can be applied as they are."""
        return self.requested_total == 0 or self.requested_total <= self.budget

    @property
    def scaled(self) -> bool:
        return self.fitted != self.requested

    @property
    def unreserved_if_requested(self) -> int:
        return unreserved_after(self.unreserved_now, self.existing, self.requested)

    @property
    def unreserved_if_fitted(self) -> int:
        return unreserved_after(self.unreserved_now, self.existing, self.fitted)

    def to_json(self) -> dict:
        return {
            "account_limit": self.account_limit,
            "unreserved_now": self.unreserved_now,
            "existing": dict(self.existing),
            "requested": dict(self.requested),
            "fitted": dict(self.fitted),
            "minimum_unreserved": self.minimum,
            "unreserved_after_requested": self.unreserved_if_requested,
            "unreserved_after_fitted": self.unreserved_if_fitted,
        }


def scale_down(requested: dict[str, int | None], budget: int) -> dict[str, int | None]:
    """Scale positive reservations by budget/total, rounding down.

    A positive request scaled to 0 becomes None (no reservation): reserving 0 would
    throttle the function completely, which is never what a smaller budget means.
    """
    total = sum(value or 0 for value in requested.values())
    if total <= budget:
        return dict(requested)
    budget = max(0, budget)
    scaled: dict[str, int | None] = {}
    for key, value in requested.items():
        if not value:  # None or an explicit 0 cost nothing; keep them as asked
            scaled[key] = value
            continue
        share = value * budget // total
        scaled[key] = share if share > 0 else None
    return scaled


def fit_reservations(
    account_limit: int,
    unreserved_now: int,
    existing: dict[str, int],
    requested: dict[str, int | None],
    minimum: int = MINIMUM_UNRESERVED,
) -> ConcurrencyDecision:
    """Decide the reservations that keep at least `minimum` unreserved, net of this env's existing ones."""
    for label, value in (("account_limit", account_limit), ("unreserved_now", unreserved_now), ("minimum", minimum)):
        if value < 0:
            raise ValueError(f"{label} must not be negative (got {value})")
    for key, value in {**existing, **{k: v or 0 for k, v in requested.items()}}.items():
        if value < 0:
            raise ValueError(f"reservation for {key} must not be negative (got {value})")
    budget = max(0, unreserved_now + sum(existing.values()) - minimum)
    return ConcurrencyDecision(
        account_limit=account_limit,
        unreserved_now=unreserved_now,
        existing=dict(existing),
        requested=dict(requested),
        fitted=scale_down(requested, budget),
        minimum=minimum,
    )
