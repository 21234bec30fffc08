"""`webhookctl verify`: published vectors, exit codes, JSON keys, and clear errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli_runner import run_main
from tests.signature_vectors import load_vectors

VECTORS = load_vectors()


def run_cli(args, capsys, monkeypatch):
    return run_main(args, monkeypatch, capsys)


def _vector_args(vector: dict, tmp_path: Path) -> list[str]:
    body = tmp_path / "body"
    body.write_bytes(vector["body"].encode())
    args = ["verify", vector["provider"], "--secret", vector["secret"], "--body-file", str(body)]
    for name, value in vector["headers"].items():
        args += ["--header", f"{name}: {value}"]
    if "timestamp" in vector:
        args += ["--at", str(vector["timestamp"])]
    if "notification_url" in vector:
        args += ["--notification-url", vector["notification_url"]]
    return args


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['provider']}-{i}" for i, v in enumerate(VECTORS)])
def test_vectors_verify(vector, tmp_path, capsys, monkeypatch):
    code, out, _ = run_cli(_vector_args(vector, tmp_path) + ["-o", "json"], capsys, monkeypatch)
    document = json.loads(out)
    assert document["valid"] is vector["valid"]
    assert "reason" in document
    assert code == (0 if vector["valid"] else 1)


@pytest.mark.parametrize("vector", [v for v in VECTORS if v["valid"]], ids=lambda v: v["provider"])
def test_vectors_with_a_wrong_secret_exit_1(vector, tmp_path, capsys, monkeypatch):
    wrong = {"stripe": "whsec_wrong_secret", "standardwebhooks": "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", "adyen": "00" * 32}
    vector = {**vector, "secret": wrong.get(vector["provider"], "wrong secret")}
    code, out, _ = run_cli(_vector_args(vector, tmp_path), capsys, monkeypatch)
    assert code == 1
    assert out.startswith("invalid: ")


def test_text_output_names_the_event(tmp_path, capsys, monkeypatch):
    vector = next(v for v in VECTORS if v["provider"] == "stripe")
    code, out, _ = run_cli(_vector_args(vector, tmp_path), capsys, monkeypatch)
    assert (code, out.strip()) == (0, "valid: stripe event evt_test_webhook (unknown)")


def test_stale_stripe_delivery_without_at_is_invalid(tmp_path, capsys, monkeypatch):
    vector = next(v for v in VECTORS if v["provider"] == "stripe")
    args = [a for a in _vector_args(vector, tmp_path)]
    args = args[: args.index("--at")]
    code, out, _ = run_cli(args + ["-o", "json"], capsys, monkeypatch)
    assert code == 1 and "timestamp" in json.loads(out)["reason"]


def test_at_accepts_iso_8601(tmp_path, capsys, monkeypatch):
    vector = next(v for v in VECTORS if v["provider"] == "standardwebhooks")
    args = _vector_args(vector, tmp_path)
    args[args.index("--at") + 1] = "2021-02-25T15:02:10Z"  # 1614265330
    code, _, _ = run_cli(args, capsys, monkeypatch)
    assert code == 0


def test_several_secrets_any_may_match(tmp_path, capsys, monkeypatch):
    vector = next(v for v in VECTORS if v["provider"] == "github")
    args = _vector_args(vector, tmp_path) + ["--secret", "an older secret"]
    assert run_cli(args, capsys, monkeypatch)[0] == 0


def _paypal_files(tmp_path: Path):
    from webhook_signatures import material

    entry = material.generate("paypal")
    (tmp_path / "key.pem").write_text(entry["signing_key"])
    (tmp_path / "cert.pem").write_text(entry["certificates"][0])
    (tmp_path / "body.json").write_text('{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED"}')
    return entry


def test_paypal_sign_then_verify_with_pinned_cert(tmp_path, capsys, monkeypatch):
    _paypal_files(tmp_path)
    code, out, err = run_cli(["sign", "paypal", "--secret", str(tmp_path / "key.pem"), "--webhook-id", "WH123",
                              "--body-file", str(tmp_path / "body.json"), "-o", "json"], capsys, monkeypatch)
    assert code == 0, err
    headers = json.loads(out)["headers"]
    args = ["verify", "paypal", "--webhook-id", "WH123", "--cert", str(tmp_path / "cert.pem"), "--body-file", str(tmp_path / "body.json")]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    assert run_cli(args, capsys, monkeypatch)[:2] == (0, "valid: paypal event WH-1 (PAYMENT.CAPTURE.COMPLETED)\n")
    wrong = [a if a != "WH123" else "OTHER" for a in args]
    assert run_cli(wrong, capsys, monkeypatch)[0] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--secret", "x"], "takes no --secret"),
    (["--webhook-id", "W"], "needs --webhook-id and --cert"),
])
def test_paypal_usage_errors(tmp_path, capsys, monkeypatch, args, message):
    _paypal_files(tmp_path)
    code, _, err = run_cli(["verify", "paypal", "--body-file", str(tmp_path / "body.json"), *args], capsys, monkeypatch)
    assert code == 2 and message in err


@pytest.mark.parametrize(("args", "message"), [
    (["verify", "stripe", "--secret", "whsec_abcdefgh", "--body-file", "{body}", "-H", "no colon here"], "--header must look like"),
    (["verify", "stripe", "--secret", "whsec_abcdefgh", "--body-file", "{body}", "--at", "yesterday"], "--at must be"),
    (["verify", "stripe", "--body-file", "{body}"], "--secret is required"),
    (["verify", "stripe", "--secret", "sk_live_123", "--body-file", "{body}"], "--secret:"),
    (["verify", "square", "--secret", "s", "--body-file", "{body}"], "--notification-url"),
    (["verify", "stripe", "--secret", "whsec_abcdefgh", "--body-file", "/nonexistent/body"], "body file not found"),
    (["verify", "paypa1", "--secret", "x", "--body-file", "{body}"], "unknown provider 'paypa1'"),
])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, monkeypatch, args, message):
    body = tmp_path / "body"
    body.write_text("{}")
    code, out, err = run_cli([a.replace("{body}", str(body)) for a in args], capsys, monkeypatch)
    assert code == 2
    assert message in err and "Traceback" not in err and out == ""


def test_non_json_body_with_a_valid_signature_is_invalid_with_reason(tmp_path, capsys, monkeypatch):
    import webhook_signatures as ws

    config = ws.ProviderConfig(secrets=("whsec_abcdefghij",))
    signed = ws.sign("stripe", b"not json", config, at=1000)
    body = tmp_path / "body"
    body.write_bytes(b"not json")
    code, out, _ = run_cli(["verify", "stripe", "--secret", "whsec_abcdefghij", "--body-file", str(body), "--at", "1000",
                            "-H", f"Stripe-Signature: {signed.headers['Stripe-Signature']}", "-o", "json"], capsys, monkeypatch)
    assert code == 1 and json.loads(out)["error"] == "MalformedBody"


def test_unknown_provider_in_a_real_process(tmp_path):
    body = tmp_path / "body"
    body.write_text("{}")
    result = subprocess.run([sys.executable, "-m", "webhookctl", "verify", "nope", "--secret", "x", "--body-file", str(body)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "error: unknown provider 'nope'"
