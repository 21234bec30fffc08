"""Discovery waits only for what identifies a resource; the scheduler starts the longest chain first."""

from __future__ import annotations

from webhookctl.provision.deploy import desired_state
from webhookctl.provision.plan import discovery_graph
from webhookctl.provision.scheduler import longest_chains, run_graph


class _Target:
    account_id, region, partition = "123456789012", "us-east-1", "aws"


def test_only_resources_identified_by_another_wait_in_discovery(settings, artifacts):
    graph = discovery_graph(desired_state(_Target(), settings, artifacts))
    waiting = {name: deps for name, deps in graph.items() if deps}
    assert waiting == {
        "api_routes": {"rest_api"},
        "api_stage": {"rest_api"},
        "web_acl_association": {"api_stage"},
        "api_access_logging": {"rest_api"},
        "audit_stream_mapping": {"table"},
    }


def test_longest_chains_count_the_nodes_ahead():
    release = {"a": {"b", "c"}, "b": {"d"}, "c": set(), "d": set()}
    assert longest_chains(release) == {"a": 3, "b": 2, "c": 1, "d": 1}


def test_serial_run_starts_the_longest_chain_first():
    # "short" comes first in dependency order, but "long" heads a chain of three.
    graph = {"short": set(), "long": set(), "middle": {"long"}, "end": {"middle"}}
    ran: list[str] = []
    run_graph(graph, ran.append, max_parallel=1)
    assert ran == ["long", "middle", "short", "end"]  # equal chains keep the dependency order
