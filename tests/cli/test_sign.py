"""`webhookctl sign`: headers (and the Adyen body) that `verify` and the library accept."""

from __future__ import annotations

import json

import pytest

import webhook_signatures as ws
from webhook_signatures import material
from tests.cli_runner import run_main

AT = "1700000000"
URL = "https://example.com/webhook/square"


def run_cli(args, capsys, monkeypatch):
    return run_main(args, monkeypatch, capsys)


def _body(provider: str) -> bytes:
    if provider == "adyen":
        item = {"pspReference": "psp1", "merchantAccountCode": "M", "merchantReference": "r",
                "amount": {"currency": "EUR", "value": 5}, "eventCode": "AUTHORISATION", "success": "true"}
        return json.dumps({"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}).encode()
    return json.dumps({"id": "evt_1", "event_id": "evt_1", "type": "t.created", "event_type": "t.created"}).encode()


@pytest.mark.parametrize("provider", [p for p in ws.PROVIDERS if p != "paypal"])
def test_sign_json_output_verifies_with_the_library_and_the_cli(provider, tmp_path, capsys, monkeypatch):
    secret = material.generate(provider)["secrets"][0]
    body_file = tmp_path / "body.json"
    body_file.write_bytes(_body(provider))
    args = ["sign", provider, "--secret", secret, "--body-file", str(body_file), "--at", AT, "--id", "msg_42",
            "--notification-url", URL, "-o", "json"]
    code, out, err = run_cli(args, capsys, monkeypatch)
    assert code == 0, err
    document = json.loads(out)
    assert set(document) >= {"headers", "body"}
    config = ws.ProviderConfig(secrets=(secret,), notification_url=URL)
    assert ws.verify(provider, document["headers"], document["body"].encode(), config, now=int(AT))

    signed_body = tmp_path / "signed.json"
    signed_body.write_text(document["body"])
    verify = ["verify", provider, "--secret", secret, "--body-file", str(signed_body), "--at", AT, "--notification-url", URL]
    for name, value in document["headers"].items():
        verify += ["--header", f"{name}: {value}"]
    assert run_cli(verify, capsys, monkeypatch)[0] == 0


def test_adyen_text_output_prints_the_signed_body(tmp_path, capsys, monkeypatch):
    body_file = tmp_path / "body.json"
    body_file.write_bytes(_body("adyen"))
    code, out, _ = run_cli(["sign", "adyen", "--secret", "AB" * 32, "--body-file", str(body_file)], capsys, monkeypatch)
    assert code == 0
    assert "hmacSignature" in json.loads(out.strip())["notificationItems"][0]["NotificationRequestItem"]["additionalData"]


def test_stripe_text_output_is_header_lines(tmp_path, capsys, monkeypatch):
    body_file = tmp_path / "body.json"
    body_file.write_bytes(b'{"id": "evt_1"}')
    code, out, _ = run_cli(["sign", "stripe", "--secret", "whsec_test_secret", "--body-file", str(body_file),
                            "--at", "2023-11-14T22:13:20Z"], capsys, monkeypatch)
    assert code == 0
    assert out.startswith("Stripe-Signature: t=1700000000,v1=") and out.count("\n") == 1


def test_sign_whsk_produces_v1a(tmp_path, capsys, monkeypatch):
    import base64

    signing = "whsk_" + base64.b64encode(bytes(range(32))).decode()
    body_file = tmp_path / "body.json"
    body_file.write_bytes(b'{"type": "x"}')
    code, out, _ = run_cli(["sign", "svix", "--secret", signing, "--body-file", str(body_file), "-o", "json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["headers"]["svix-signature"].startswith("v1a,")


@pytest.mark.parametrize(("args", "message"), [
    (["sign", "nope", "--secret", "x"], "unknown provider"),
    (["sign", "stripe"], "--secret is required"),
    (["sign", "stripe", "--secret", "not-a-whsec"], "--secret:"),
    (["sign", "square", "--secret", "abc"], "--notification-url"),
    (["sign", "paypal", "--secret", "/nonexistent.pem", "--webhook-id", "W"], "not PEM text"),
    (["sign", "paypal", "--secret", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"], "--webhook-id"),
    (["sign", "standardwebhooks", "--secret", "whpk_" + "A" * 43 + "="], "cannot sign"),
    (["sign", "stripe", "--secret", "whsec_abcdefghij", "--at", "soon"], "--at must be"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, monkeypatch, args, message):
    body_file = tmp_path / "body.json"
    body_file.write_text("{}")
    code, out, err = run_cli([*args, "--body-file", str(body_file)], capsys, monkeypatch)
    assert code == 2, err
    assert message in err and "Traceback" not in err


def test_missing_body_file_exits_2(capsys, monkeypatch):
    code, _, err = run_cli(["sign", "stripe", "--secret", "whsec_abcdefghij", "--body-file", "/nonexistent/b.json"], capsys, monkeypatch)
    assert code == 2 and "body file not found" in err
