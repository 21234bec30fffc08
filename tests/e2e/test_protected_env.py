"""A protected env from its first `up` to live traffic: nothing generated, every secret set by hand.

`up --env prod` creates the provider secret with no value. Secrets Manager then has no AWSCURRENT
version, and GetSecretValue answers ResourceNotFoundException ("can't find the specified secret value
for staging label: AWSCURRENT"), just as for a missing secret (AWS Secrets Manager API Reference:
CreateSecret, GetSecretValue). `secrets set` must still work, and status/preflight must say who is refused.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import wait_for
from tests.e2e.pipeline import post, status_of

pytestmark = pytest.mark.e2e

ENV = "prod"
PROVIDERS = ("stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal")


def _values() -> dict[str, str]:
    """One key per provider, in the form each provider hands it out."""
    from webhook_signatures import material

    values = {provider: material.generate(provider)["secrets"][0] for provider in PROVIDERS if provider != "paypal"}
    paypal = material.generate_paypal()
    values["paypal"] = json.dumps(paypal)
    return values


def test_a_protected_env_gets_its_first_secrets_and_takes_traffic(local_cloud, tmp_path):
    def cli(*args: str):
        return local_cloud.run(*args, *local_cloud.env_args(ENV), timeout=300)

    def cli_json(*args: str):
        result = cli(*args, "-o", "json")
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads(result.stdout), result.stderr

    up = local_cloud.up(ENV)
    assert up.returncode == 0, up.stderr[-2000:]
    outputs = json.loads(up.stdout)["outputs"]
    assert "no signing secret for stripe" in up.stderr  # preflight's warning, before anything was created

    listed, _ = cli_json("secrets", "list")
    assert [(p["provider"], p["configured"], p["count"]) for p in listed["providers"]] == [(p, False, 0) for p in PROVIDERS]
    status, warnings = cli_json("status")
    assert status["deployed"] and status["providers_without_secret"] == list(PROVIDERS)
    assert "every delivery to them will be refused" in warnings
    preflight, _ = cli_json("preflight")
    check = next(c for c in preflight["checks"] if c["name"] == "secrets")
    assert check["status"] == "warn" and "secrets set PROVIDER --env prod" in check["detail"]

    values = _values()
    body = tmp_path / "event.json"
    body.write_text(json.dumps({"id": "evt_prod_first", "object": "event", "type": "payment_intent.succeeded"}))
    sign = local_cloud.run("sign", "stripe", "--secret", values["stripe"], "--body-file", str(body), "-o", "json")
    assert sign.returncode == 0, sign.stderr
    signed = json.loads(sign.stdout)
    url = outputs["WebhookUrlTemplate"].replace("{provider}", "stripe")
    assert post(url, body.read_bytes(), signed["headers"]).status in (401, 503)  # no secret yet: refused, nothing stored

    for provider in PROVIDERS:
        done = _set(local_cloud, provider, values[provider])
        assert done.returncode == 0, done.stderr
    listed, _ = cli_json("secrets", "list")
    assert all(p["configured"] for p in listed["providers"])
    status, warnings = cli_json("status")
    assert status["providers_without_secret"] == [] and "no signing secret" not in warnings

    reply = post(url, body.read_bytes(), signed["headers"])
    assert reply.status == 200, reply.body
    assert wait_for(lambda: status_of(local_cloud, outputs, "stripe#evt_prod_first") == "PROCESSED", timeout=30)
    with ThreadPoolExecutor(len(PROVIDERS)) as pool:  # one send-test per provider, all at once
        for provider, (sent, _) in zip(PROVIDERS, pool.map(lambda p: cli_json("send-test", p, "--timeout", "60"), PROVIDERS)):
            assert [r["final_status"] for r in sent["results"]] == ["PROCESSED"], (provider, sent)

    refused = cli("down", "--yes")
    assert refused.returncode == 2 and "--force" in refused.stderr
    gone = cli("down", "--yes", "--force", "-o", "json")
    assert gone.returncode == 0 and json.loads(gone.stdout)["remaining"] == [], gone.stderr[-2000:]


def _set(local_cloud, provider: str, value: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "webhookctl", "secrets", "set", provider, "--value", "-", *local_cloud.env_args(ENV), "-o", "json"],
        input=value, capture_output=True, text=True, env=local_cloud.base_env, timeout=120, cwd=local_cloud.config.parent,
    )
