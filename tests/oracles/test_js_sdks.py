"""@octokit/webhooks-methods and @shopify/shopify-api as oracles for GitHub and Shopify signing.

They run under node from tests/oracles/js (package.json and package-lock.json committed; run
`npm ci` there to install). Without node or node_modules every test here skips, saying which.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import run_main

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: the JavaScript SDK oracles need it"),
    pytest.mark.skipif(not (JS / "node_modules" / "@shopify" / "shopify-api").is_dir() or not (JS / "node_modules" / "@octokit" / "webhooks-methods").is_dir(),
                       reason="tests/oracles/js/node_modules is missing: run `npm ci` in tests/oracles/js"),
]

SECRETS = ("gh_current_0123456789", "gh_previous_0123456789")
BODIES = {
    "ascii": json.dumps({"action": "opened", "zen": "Keep it simple."}),
    "non-ascii": json.dumps({"action": "opened", "zen": "Zürich — 東京 ✓"}, ensure_ascii=False),
    "1MB": json.dumps({"action": "opened", "pad": "x" * 1_048_576}),
}


def oracle(**request) -> dict:
    done = subprocess.run([NODE, str(JS / "oracle.mjs")], input=json.dumps(request), capture_output=True, text=True, timeout=60, cwd=JS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _sign(provider, secret, body, tmp_path, monkeypatch, capsys) -> dict:
    (tmp_path / "body").write_bytes(body.encode())
    code, out, err = run_main(["sign", provider, "--secret", secret, "--body-file", str(tmp_path / "body"), "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("body_kind", list(BODIES))
@pytest.mark.parametrize("signer", SECRETS, ids=["current", "rotation"])
def test_octokit_signs_webhookctl_verifies(signer, body_kind, tmp_path, monkeypatch, capsys):
    body = BODIES[body_kind]
    signature = oracle(op="sign", provider="github", secret=signer, body=body)["signature"]
    (tmp_path / "body").write_bytes(body.encode())
    (tmp_path / "big.toml").write_text("[api]\nmax_body_bytes = 2000000\n")
    args = ["verify", "github", "--body-file", str(tmp_path / "body"), "--config", str(tmp_path / "big.toml"),
            "--header", f"X-Hub-Signature-256: {signature}", "--header", "X-GitHub-Delivery: d-1", "--header", "X-GitHub-Event: pull_request"]
    for secret in SECRETS:
        args += ["--secret", secret]
    code, out, err = run_main(args, monkeypatch, capsys)
    assert code == 0, out + err


@pytest.mark.parametrize("body_kind", list(BODIES))
def test_webhookctl_signs_octokit_verifies(body_kind, tmp_path, monkeypatch, capsys):
    signed = _sign("github", SECRETS[0], BODIES[body_kind], tmp_path, monkeypatch, capsys)
    assert oracle(op="verify", provider="github", secret=SECRETS[0], body=signed["body"], headers=signed["headers"])["valid"] is True
    assert oracle(op="verify", provider="github", secret=SECRETS[1], body=signed["body"], headers=signed["headers"])["valid"] is False


@pytest.mark.parametrize("body_kind", ["ascii", "non-ascii"])
def test_webhookctl_signs_shopify_validate_accepts(body_kind, tmp_path, monkeypatch, capsys):
    signed = _sign("shopify", "shpss_oracle", BODIES[body_kind], tmp_path, monkeypatch, capsys)
    answer = oracle(op="verify", provider="shopify", secret="shpss_oracle", body=signed["body"], headers=signed["headers"])
    assert answer["valid"] is True, answer
    assert answer["domain"] == signed["headers"]["X-Shopify-Shop-Domain"]


def test_shopify_validate_refuses_a_delivery_without_the_shop_and_api_version(tmp_path, monkeypatch, capsys):
    """Why sign sends them: Shopify's validator requires both (and the oracle can say no)."""
    signed = _sign("shopify", "shpss_oracle", BODIES["ascii"], tmp_path, monkeypatch, capsys)
    bare = {k: v for k, v in signed["headers"].items() if k not in ("X-Shopify-Shop-Domain", "X-Shopify-API-Version")}
    answer = oracle(op="verify", provider="shopify", secret="shpss_oracle", body=signed["body"], headers=bare)
    assert answer["valid"] is False and answer["reason"] == "missing_headers", answer
