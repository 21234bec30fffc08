"""Unit: which function a chaos rule hits, and how."""

from __future__ import annotations

import pytest

from webhookctl.localcloud.lambda_runtime.chaos import Chaos, component_of
from webhookctl.localcloud.lambda_runtime.functions import FunctionSpec


def spec(name, tags):
    return FunctionSpec(account="1", region="r", name=name, arn=f"arn:aws:lambda:r:1:function:{name}", version="$LATEST",
                        handler="handler.handler", runtime="python3.11", timeout_s=3, memory_mb=128, environment=(),
                        code_sha256="x", code_zip=b"", tags=tuple(tags.items()))


def test_component_from_name_and_tags():
    tags = {"webhookctl:app": "webhookctl", "webhookctl:env": "dev-2"}
    assert component_of(spec("webhookctl-processor-dev-2", tags)) == "processor"
    assert component_of(spec("other-processor-dev-2", tags)) is None
    assert component_of(spec("webhookctl-processor-dev-2", {})) is None


def test_rules_apply_until_cleared():
    chaos = Chaos()
    tags = {"webhookctl:app": "app", "webhookctl:env": "prod"}
    target = spec("app-audit-prod", tags)
    assert chaos.roll(target) is None
    chaos.set("audit", 1.0, 25)
    outcome = chaos.roll(target)
    assert outcome.fail and outcome.latency_ms == 25
    assert chaos.roll(spec("app-receiver-prod", tags)) is None
    chaos.set("audit", 0.0, 0)
    assert chaos.roll(target) is None
    chaos.set("audit", 0.0, 10)
    assert not chaos.roll(target).fail
    chaos.clear()
    assert chaos.roll(target) is None


def test_bad_rates_are_refused():
    with pytest.raises(ValueError):
        Chaos().set("audit", 1.5, 0)
    with pytest.raises(ValueError):
        Chaos().set("audit", 0.5, -1)
