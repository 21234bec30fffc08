"""If `up` dies after any single mutating call, the next `up` converges and `down` removes everything."""

from __future__ import annotations

import pytest

from tests.faults.dying_context import Died, DyingContext, env_inventory
from webhookctl.names import Names
from webhookctl.provision import deploy, teardown
from webhookctl.provision.apply import ApplyError

COLD_UP_WRITES = 50  # mutating calls of a cold `up` with the default settings (asserted below)


def test_cold_up_write_count_is_what_the_fault_test_covers(new_context, settings, artifacts):
    ctx = new_context()
    deploy.deploy(ctx, settings, artifacts, max_parallel=1)
    assert ctx.counter.write == COLD_UP_WRITES, ctx.counter.by_operation


@pytest.mark.parametrize("die_after", range(1, COLD_UP_WRITES))
def test_up_converges_after_dying_at_any_write(die_after, new_context, settings, artifacts):
    dying = new_context(DyingContext, die_after=die_after)
    with pytest.raises(ApplyError) as failure:
        deploy.deploy(dying, settings, artifacts, max_parallel=1)
    assert isinstance(failure.value.error, Died)

    ctx = new_context()
    recovered = deploy.deploy(ctx, settings, artifacts)
    assert recovered.summary["create"] + recovered.summary["update"] >= 1
    assert not deploy.plan(ctx, settings, artifacts).pending  # converged: a further `up` would write nothing

    assert teardown.teardown(ctx, settings).remaining == []
    assert env_inventory(ctx.client, Names(settings.prefix, settings.env)) == []
