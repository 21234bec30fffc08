"""If `down` dies after any single mutating call, the next `down` removes everything and nothing is orphaned."""

from __future__ import annotations

import pytest

from tests.faults.dying_context import Died, DyingContext, env_inventory, root_cause
from webhookctl.errors import NotDeployedError
from webhookctl.names import Names
from webhookctl.provision import deploy, teardown

DOWN_WRITES = 35  # mutating calls of `down` on a fully deployed env with the default settings (asserted below)


def test_down_write_count_is_what_the_fault_test_covers(new_context, settings, artifacts):
    deploy.deploy(new_context(), settings, artifacts)
    ctx = new_context()
    result = teardown.teardown(ctx, settings, max_parallel=1)
    assert result.remaining == []
    assert ctx.counter.write == DOWN_WRITES, ctx.counter.by_operation


@pytest.mark.parametrize("die_after", range(1, DOWN_WRITES + 1))
def test_down_converges_after_dying_at_any_write(die_after, new_context, settings, artifacts):
    ctx = new_context()
    deploy.deploy(ctx, settings, artifacts)
    names = Names(settings.prefix, settings.env)

    dying = new_context(DyingContext, die_after=die_after)
    with pytest.raises(Exception) as failure:
        teardown.teardown(dying, settings, max_parallel=1)
    assert isinstance(root_cause(failure.value), Died), failure.value

    if die_after == DOWN_WRITES:
        # The last write scheduled the key's deletion: nothing of the env is left to find.
        with pytest.raises(NotDeployedError):
            teardown.teardown(ctx, settings)
    else:
        rerun = teardown.teardown(ctx, settings)
        assert rerun.remaining == []
        assert rerun.deleted or rerun.scheduled, "the rerun found nothing to finish"
    assert env_inventory(ctx.client, names) == []
