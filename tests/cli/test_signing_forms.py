"""What real providers send and hand out: Shopify's full header set, bare base64 Standard Webhooks
secrets, and a captured PayPal delivery verified at its own time with the certificate valid then."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest

import webhook_signatures as ws
from tests.cli_runner import run_main
from webhook_signatures import material

AT = "1700000000"


def _headers_args(headers: dict[str, str]) -> list[str]:
    args: list[str] = []
    for name, value in headers.items():
        args += ["--header", f"{name}: {value}"]
    return args


def test_sign_shopify_sends_every_header_a_real_delivery_carries(tmp_path, capsys, monkeypatch):
    body = tmp_path / "order.json"
    body.write_text('{"id": 820982911946154508}')
    code, out, err = run_main(["sign", "shopify", "--secret", "shpss_x", "--body-file", str(body), "--at", AT, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    headers = json.loads(out)["headers"]
    assert headers["X-Shopify-Shop-Domain"].endswith(".myshopify.com")
    assert len(headers["X-Shopify-API-Version"]) == 7 and headers["X-Shopify-API-Version"][4] == "-"  # YYYY-MM
    assert headers["X-Shopify-Triggered-At"] == "2023-11-14T22:13:20.000Z"
    assert headers["X-Shopify-Event-Id"] and headers["X-Shopify-Event-Id"] != headers["X-Shopify-Webhook-Id"]
    assert headers["X-Shopify-Topic"] == "orders/create"


def test_send_test_shopify_fixtures_carry_the_shop_and_api_version():
    from webhookctl.operations.fixtures import build_fixture

    signed = ws.sign("shopify", build_fixture("shopify", None).body, ws.ProviderConfig(secrets=("s",)), at=int(AT))
    assert {"X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Triggered-At", "X-Shopify-Event-Id"} <= set(signed.headers)


@pytest.mark.parametrize("provider", ["standardwebhooks", "svix"])
def test_a_bare_base64_secret_signs_and_verifies_like_its_whsec_form(provider, tmp_path, capsys, monkeypatch):
    bare = base64.b64encode(b"k" * 24).decode()
    body = tmp_path / "body.json"
    body.write_text('{"type": "invoice.paid"}')
    code, out, err = run_main(["sign", provider, "--secret", bare, "--body-file", str(body), "--at", AT, "--id", "msg_1", "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    headers = json.loads(out)["headers"]
    config = ws.ProviderConfig(secrets=("whsec_" + bare,))
    assert ws.verify(provider, headers, body.read_bytes(), config, now=int(AT))
    for secret in (bare, "whsec_" + bare):
        verify = ["verify", provider, "--secret", secret, "--body-file", str(body), "--at", AT, *_headers_args(headers)]
        assert run_main(verify, monkeypatch, capsys)[0] == 0
    material.validate_secret(provider, bare)  # what `secrets set --value BARE` checks
    with pytest.raises(ValueError):
        material.validate_secret(provider, base64.b64encode(b"short").decode())  # under 16 bytes: not an HMAC key


def test_verify_paypal_at_a_past_time_uses_the_certificate_valid_then(tmp_path, capsys, monkeypatch):
    sent = datetime(2015, 6, 1, 12, 0, tzinfo=timezone.utc)
    entry = material.generate_paypal(valid_days=365, not_before=datetime(2015, 1, 1, tzinfo=timezone.utc))
    (tmp_path / "cert.pem").write_text(entry["certificates"][0])
    body = tmp_path / "body.json"
    body.write_text('{"id": "WH-2015", "event_type": "PAYMENT.CAPTURE.COMPLETED"}')
    config = ws.ProviderConfig(webhook_id="WH2015", certificates=tuple(entry["certificates"]), signing_key=entry["signing_key"])
    signed = ws.sign("paypal", body.read_bytes(), config, at=int(sent.timestamp()))
    verify = ["verify", "paypal", "--webhook-id", "WH2015", "--cert", str(tmp_path / "cert.pem"), "--body-file", str(body), *_headers_args(signed.headers)]
    code, out, err = run_main([*verify, "--at", "2015-06-01T12:00:00Z"], monkeypatch, capsys)
    assert code == 0, out + err
    code, out, _ = run_main([*verify, "--at", "2017-01-01T00:00:00Z"], monkeypatch, capsys)
    assert code == 1 and "expired or not yet valid" in out
    assert run_main(verify, monkeypatch, capsys)[0] == 1  # today the certificate has long expired
