"""The operating commands end to end on the local cloud, through the CLI as a user runs them."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

PROVIDERS = ("stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal")
ENV = "ops"  # its own env: its DLQs hold only what these tests put there


def cli(local_cloud, *args, timeout=300):
    return local_cloud.run(*args, *local_cloud.env_args(ENV), timeout=timeout)


def cli_json(local_cloud, *args, timeout=300):
    result = cli(local_cloud, *args, "-o", "json", timeout=timeout)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def statuses(local_cloud) -> dict[str, str]:
    """event_key -> status of every event in the env, from one `events list`."""
    result, listed = cli_json(local_cloud, "events", "list", "--limit", "100000")
    assert result.returncode == 0, result.stderr
    return {row["event_key"]: row["status"] for row in (listed["events"] if isinstance(listed, dict) else listed)}


@pytest.fixture(scope="module")
def sent_to_each_provider(local_cloud, deployed):
    """`send-test PROVIDER` for every provider, all at once against the one deployment: provider -> its run."""
    deployed(ENV)
    with ThreadPoolExecutor(len(PROVIDERS)) as pool:
        runs = pool.map(lambda provider: cli(local_cloud, "send-test", provider, "--timeout", "60", "-o", "json"), PROVIDERS)
        return dict(zip(PROVIDERS, runs))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_send_test_reaches_processed_and_audited_for_every_provider(sent_to_each_provider, provider):
    result = sent_to_each_provider[provider]
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (only,) = document["results"]
    assert only["http_status"] == 200 and only["final_status"] == "PROCESSED" and only["audit_logged"] is True
    assert document["summary"]["processed"] == 1


def test_send_test_rejections_and_duplicates_are_as_expected(local_cloud, deployed):
    deployed(ENV)
    for flag in ("--invalid-signature", "--stale"):
        result, document = cli_json(local_cloud, "send-test", "stripe", flag)
        assert result.returncode == 0, result.stderr
        assert [r["http_status"] for r in document["results"]] == [401]
        assert document["results"][0]["final_status"] == "REJECTED"
    result, document = cli_json(local_cloud, "send-test", "github", "--duplicate", "--count", "3", "--concurrency", "3")
    assert result.returncode == 0, result.stderr
    assert document["summary"]["sent"] == 6 and document["summary"]["processed"] == 3


def test_events_show_and_list_never_show_signatures(local_cloud, deployed):
    deployed(ENV)
    _, sent = cli_json(local_cloud, "send-test", "stripe")
    key = sent["results"][0]["event_key"]
    shown_result, shown = cli_json(local_cloud, "events", "show", key)
    assert shown_result.returncode == 0 and shown["status"] == "PROCESSED"
    assert "Stripe-Signature" not in shown_result.stdout and "v1=" not in shown_result.stdout
    _, listed = cli_json(local_cloud, "events", "list", "--provider", "stripe", "--limit", "5")
    assert key in [e["event_key"] for e in listed]
    assert cli(local_cloud, "events", "show", "stripe#does-not-exist").returncode == 1


def test_chaos_then_dlq_then_replay_drains_it_exactly_once(local_cloud, deployed):
    deployed(ENV)
    assert local_cloud.run("local", "chaos", "--function", "processor", "--error-rate", "1").returncode == 0
    try:
        result, document = cli_json(local_cloud, "send-test", "stripe", "--count", "4", "--concurrency", "4", "--timeout", "60")
        assert result.returncode == 1  # DLQ is not what a send-test expects
        assert {r["final_status"] for r in document["results"]} == {"DLQ"}
        keys = [r["event_key"] for r in document["results"]]
    finally:
        local_cloud.run("local", "chaos", "--clear")

    _, depths = cli_json(local_cloud, "dlq", "list")
    before = {q["queue"]: q["visible"] for q in depths}["processor"]
    assert before >= 4

    dry_result, dry = cli_json(local_cloud, "dlq", "replay", "--dry-run")
    assert dry_result.returncode == 0 and dry["dry_run"] is True and dry["candidates"] == before and dry["replayed"] == 0
    _, depths = cli_json(local_cloud, "dlq", "list")
    assert {q["queue"]: q["visible"] for q in depths}["processor"] == before  # nothing changed, all visible
    listed = statuses(local_cloud)
    assert [listed.get(key) for key in keys] == ["RECEIVED"] * len(keys)

    replay_result, replay = cli_json(local_cloud, "dlq", "replay")
    assert replay_result.returncode == 0, replay_result.stderr
    assert replay["succeeded"] == before and replay["failed"] == 0
    listed = statuses(local_cloud)
    assert [listed.get(key) for key in keys] == ["PROCESSED"] * len(keys)
    _, depths = cli_json(local_cloud, "dlq", "list")
    assert {q["queue"]: q["visible"] for q in depths}["processor"] == 0

    again_result, again = cli_json(local_cloud, "dlq", "replay")
    assert again_result.returncode == 0 and again["candidates"] == 0 and again["replayed"] == 0
    for key in keys:
        _, audit = cli_json(local_cloud, "audit", "tail", "--since", "30m", "--event", key)
        assert len([e for e in audit if e["new_status"] == "PROCESSED"]) == 1


def test_audit_tail_shows_every_event_exactly_once(local_cloud, deployed):
    deployed(ENV)
    _, sent = cli_json(local_cloud, "send-test", "svix", "--count", "10", "--concurrency", "5")
    keys = {r["event_key"] for r in sent["results"]}
    assert len(keys) == 10

    def processed_entries():
        _, entries = cli_json(local_cloud, "audit", "tail", "--since", "30m")
        return [e for e in entries if e["event_key"] in keys and e["new_status"] == "PROCESSED"]

    entries = wait_for(lambda: (lambda found: found if len(found) >= 10 else None)(processed_entries()))
    assert entries is not None
    assert sorted(e["event_key"] for e in entries) == sorted(keys)  # each exactly once
    assert len({e["log_event_id"] for e in entries}) == len(entries)


def test_logs_and_dlq_purge_refusal(local_cloud, deployed):
    deployed(ENV)
    result, document = cli_json(local_cloud, "logs", "receiver", "--since", "30m")
    assert result.returncode == 0 and document["lines"], result.stderr
    assert cli(local_cloud, "dlq", "purge").returncode == 2


def test_secrets_list_never_shows_a_value(local_cloud, deployed):
    deployed(ENV)
    stored = json.loads(local_cloud.client("secretsmanager").get_secret_value(SecretId=f"webhookctl-provider-secrets-{ENV}")["SecretString"])
    values = [v for entry in stored.values() for v in entry.get("secrets", [])]
    values += [entry[k] for entry in stored.values() for k in ("signing_key",) if entry.get(k)]
    outputs = [cli(local_cloud, "secrets", "list").stdout, cli(local_cloud, "secrets", "list", "-o", "json").stdout]
    rotated = cli(local_cloud, "secrets", "set", "stripe", "--generate", "--keep-previous")
    assert rotated.returncode == 0, rotated.stderr
    outputs += [rotated.stdout, rotated.stderr]
    after = json.loads(local_cloud.client("secretsmanager").get_secret_value(SecretId=f"webhookctl-provider-secrets-{ENV}")["SecretString"])
    values += after["stripe"]["secrets"]
    assert len(after["stripe"]["secrets"]) == 2
    text = "\n".join(outputs)
    for value in values:
        assert value not in text
    # Signed with the new current secret, accepted at once (the receiver re-reads after a failed verification).
    result, _ = cli_json(local_cloud, "send-test", "stripe")
    assert result.returncode == 0, result.stderr
