"""Hypothesis settings for the fuzz suites: modest example counts, scaled up by hand for long runs."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def fuzz(examples: int) -> settings:
    """`examples` per property, times WEBHOOKCTL_FUZZ_SCALE (e.g. 50 for a long run by hand); no deadline."""
    scale = float(os.environ.get("WEBHOOKCTL_FUZZ_SCALE", "1"))
    return settings(max_examples=max(1, int(examples * scale)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
