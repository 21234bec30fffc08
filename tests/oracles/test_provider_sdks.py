"""The providers' own SDKs as an oracle: what they sign, webhookctl verify and the receiver accept;
what webhookctl sign makes, their verifiers accept.

SDKs: stripe, standardwebhooks, svix, squareup (verify only: it has no signer), Adyen, and
paypalrestsdk's signed-message construction (its own verify calls OpenSSL.crypto.verify, which
pyOpenSSL removed in 24.3, so the RSA step is checked with cryptography). The receiver cases share
one local-cloud deployment for the module.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone

import pytest

import webhook_signatures as ws
from tests.cli_runner import run_main
from webhook_signatures import material

stripe = pytest.importorskip("stripe", reason="the stripe SDK is in the test extra")
standardwebhooks = pytest.importorskip("standardwebhooks.webhooks", reason="standardwebhooks is in the test extra")
svix = pytest.importorskip("svix.webhooks", reason="svix is in the test extra")
square_helper = pytest.importorskip("square.utils.webhooks_helper", reason="squareup is in the test extra")
adyen_util = pytest.importorskip("Adyen.util", reason="Adyen is in the test extra")
paypal_sdk = pytest.importorskip("paypalrestsdk.notifications", reason="paypalrestsdk is in the test extra")

ENV = "oracle"
STRIPE = ("whsec_" + "S" * 32, "whsec_" + "P" * 32)  # current, previous
STANDARD = ("whsec_" + base64.b64encode(b"c" * 24).decode(), "whsec_" + base64.b64encode(b"p" * 24).decode())
ADYEN = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
BODIES = {
    "ascii": lambda i: json.dumps({"id": f"evt_ascii_{i}", "type": "payment_intent.succeeded"}),
    "non-ascii": lambda i: json.dumps({"id": f"evt_utf8_{i}", "type": "payment_intent.succeeded", "note": "Zürich — 東京 ✓"}, ensure_ascii=False),
    "1MB": lambda i: json.dumps({"id": f"evt_big_{i}", "type": "payment_intent.succeeded", "pad": "x" * 1_048_576}),
}
BIG_CONFIG = "[api]\nmax_body_bytes = 2000000\n"


def _headers_args(headers: dict[str, str]) -> list[str]:
    return [arg for name, value in headers.items() for arg in ("--header", f"{name}: {value}")]


def _cli_verify(provider, secrets, body: str, headers, tmp_path, monkeypatch, capsys, *extra) -> tuple[int, str]:
    (tmp_path / "body").write_bytes(body.encode())
    (tmp_path / "big.toml").write_text(BIG_CONFIG)
    args = ["verify", provider, "--body-file", str(tmp_path / "body"), "--config", str(tmp_path / "big.toml"), *extra, *_headers_args(headers)]
    for secret in secrets:
        args += ["--secret", secret]
    code, out, err = run_main(args, monkeypatch, capsys)
    return code, out + err


def _cli_sign(provider, secret, body: str, tmp_path, monkeypatch, capsys, *extra) -> dict:
    (tmp_path / "body").write_bytes(body.encode())
    code, out, err = run_main(["sign", provider, "--secret", secret, "--body-file", str(tmp_path / "body"), "-o", "json", *extra], monkeypatch, capsys)
    assert code == 0, err
    return json.loads(out)


# --- the SDKs' signers ------------------------------------------------------------------------

def stripe_sdk_header(body: str, secrets: tuple[str, ...], at: int) -> dict[str, str]:
    parts = [f"t={at}"] + [f"v1={stripe.WebhookSignature._compute_signature(f'{at}.{body}', s)}" for s in secrets]
    return {"Stripe-Signature": ",".join(parts)}


def standard_sdk_headers(module, prefix: str, body: str, secrets: tuple[str, ...], msg_id: str, at: int) -> dict[str, str]:
    moment = datetime.fromtimestamp(at, timezone.utc)
    signature = " ".join(module.Webhook(s).sign(msg_id, moment, body) for s in secrets)
    return {f"{prefix}id": msg_id, f"{prefix}timestamp": str(at), f"{prefix}signature": signature}


def adyen_sdk_body(item: dict, key: str) -> str:
    signed = {**item, "additionalData": {"hmacSignature": adyen_util.generate_notification_sig(item, key).decode()}}
    return json.dumps({"live": "false", "notificationItems": [{"NotificationRequestItem": signed}]}, ensure_ascii=False)


def adyen_item(i: int, reference: str = "order-1") -> dict:
    return {"pspReference": f"PSP{i:012d}", "originalReference": "", "merchantAccountCode": "TestMerchant", "merchantReference": reference,
            "amount": {"currency": "EUR", "value": 1099}, "eventCode": "AUTHORISATION", "success": "true"}


def paypal_sdk_headers(body: str, entry: dict, webhook_id: str, transmission_id: str, at: int) -> dict[str, str]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    stamp = datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = paypal_sdk.WebhookEvent._get_expected_sig(transmission_id, stamp, webhook_id, body).encode()
    key = serialization.load_pem_private_key(entry["signing_key"].encode(), password=None)
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return {"PAYPAL-TRANSMISSION-ID": transmission_id, "PAYPAL-TRANSMISSION-TIME": stamp, "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(), "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-1"}


def paypal_sdk_verifies(body: str, headers: dict, webhook_id: str, cert_pem: str) -> bool:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    message = paypal_sdk.WebhookEvent._get_expected_sig(headers["PAYPAL-TRANSMISSION-ID"], headers["PAYPAL-TRANSMISSION-TIME"], webhook_id, body)
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    try:
        cert.public_key().verify(base64.b64decode(headers["PAYPAL-TRANSMISSION-SIG"]), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# --- SDK signs, webhookctl verify checks ----------------------------------------------------------

@pytest.mark.parametrize("body_kind", list(BODIES))
@pytest.mark.parametrize("case", ["single", "multiple", "rotation"])
def test_stripe_sdk_signs_webhookctl_verifies(case, body_kind, tmp_path, monkeypatch, capsys):
    at = int(time.time())
    body = BODIES[body_kind](0)
    signers = {"single": STRIPE[:1], "multiple": ("whsec_" + "X" * 32, STRIPE[0]), "rotation": STRIPE[1:]}[case]
    headers = stripe_sdk_header(body, signers, at)
    assert _cli_verify("stripe", STRIPE, body, headers, tmp_path, monkeypatch, capsys)[0] == 0


@pytest.mark.parametrize("provider,module,prefix", [("standardwebhooks", standardwebhooks, "webhook-"), ("svix", svix, "svix-")])
@pytest.mark.parametrize("body_kind", list(BODIES))
@pytest.mark.parametrize("case", ["single", "multiple", "rotation", "bare-base64"])
def test_standard_webhooks_sdks_sign_webhookctl_verifies(provider, module, prefix, case, body_kind, tmp_path, monkeypatch, capsys):
    at = int(time.time())
    body = BODIES[body_kind](0)
    signers = {"single": STANDARD[:1], "multiple": ("whsec_" + base64.b64encode(b"o" * 24).decode(), STANDARD[0]),
               "rotation": STANDARD[1:], "bare-base64": STANDARD[:1]}[case]
    headers = standard_sdk_headers(module, prefix, body, signers, "msg_oracle", at)
    secrets = [STANDARD[0].removeprefix("whsec_")] if case == "bare-base64" else list(STANDARD)
    assert _cli_verify(provider, secrets, body, headers, tmp_path, monkeypatch, capsys)[0] == 0


@pytest.mark.parametrize("reference", ["order-1", "a:b\\c", "Zürich: 東京"])
def test_adyen_sdk_signs_webhookctl_verifies(reference, tmp_path, monkeypatch, capsys):
    body = adyen_sdk_body(adyen_item(1, reference), ADYEN)
    code, said = _cli_verify("adyen", [ADYEN], body, {}, tmp_path, monkeypatch, capsys)
    assert code == 0, said


def test_paypal_sdk_message_signs_webhookctl_verifies(tmp_path, monkeypatch, capsys):
    entry = material.generate_paypal()
    (tmp_path / "cert.pem").write_text(entry["certificates"][0])
    body = json.dumps({"id": "WH-ORACLE", "event_type": "PAYMENT.CAPTURE.COMPLETED", "note": "Zürich"}, ensure_ascii=False)
    headers = paypal_sdk_headers(body, entry, "WHORACLE", "tx-1", int(time.time()))
    (tmp_path / "body").write_bytes(body.encode())
    args = ["verify", "paypal", "--webhook-id", "WHORACLE", "--cert", str(tmp_path / "cert.pem"), "--body-file", str(tmp_path / "body"), *_headers_args(headers)]
    code, out, err = run_main(args, monkeypatch, capsys)
    assert code == 0, out + err


# --- webhookctl sign makes, the SDKs verify ---------------------------------------------------------

@pytest.mark.parametrize("body_kind", list(BODIES))
def test_webhookctl_signs_stripe_sdk_verifies(body_kind, tmp_path, monkeypatch, capsys):
    body = BODIES[body_kind](0)
    signed = _cli_sign("stripe", STRIPE[0], body, tmp_path, monkeypatch, capsys)
    assert stripe.WebhookSignature.verify_header(signed["body"], signed["headers"]["Stripe-Signature"], STRIPE[0], tolerance=300)


@pytest.mark.parametrize("provider,module", [("standardwebhooks", standardwebhooks), ("svix", svix)])
@pytest.mark.parametrize("body_kind", list(BODIES))
@pytest.mark.parametrize("secret", [STANDARD[0], STANDARD[0].removeprefix("whsec_")], ids=["whsec", "bare-base64"])
def test_webhookctl_signs_standard_webhooks_sdks_verify(provider, module, secret, body_kind, tmp_path, monkeypatch, capsys):
    body = BODIES[body_kind](0)
    signed = _cli_sign(provider, secret, body, tmp_path, monkeypatch, capsys, "--id", "msg_ours")
    module.Webhook(STANDARD[0]).verify(signed["body"], signed["headers"])  # raises WebhookVerificationError when invalid


@pytest.mark.parametrize("url", ["https://example.com/webhook/square", "https://example.com:8443/webhook/square",
                                 "https://example.com/webhook/square?tenant=a&x=%2F", "http://127.0.0.1:4566/restapis/abc/live/_user_request_/webhook/square?q=1"])
@pytest.mark.parametrize("body_kind", ["ascii", "non-ascii"])
def test_webhookctl_signs_square_sdk_verifies(url, body_kind, tmp_path, monkeypatch, capsys):
    body = BODIES[body_kind](0)
    signed = _cli_sign("square", "sq_key_oracle", body, tmp_path, monkeypatch, capsys, "--notification-url", url)
    header = signed["headers"]["x-square-hmacsha256-signature"]
    assert square_helper.verify_signature(request_body=signed["body"], signature_header=header, signature_key="sq_key_oracle", notification_url=url)


@pytest.mark.parametrize("reference", ["order-1", "a:b\\c", "Zürich: 東京"])
def test_webhookctl_signs_adyen_sdk_verifies(reference, tmp_path, monkeypatch, capsys):
    body = json.dumps({"live": "false", "notificationItems": [{"NotificationRequestItem": adyen_item(2, reference)}]}, ensure_ascii=False)
    signed = _cli_sign("adyen", ADYEN, body, tmp_path, monkeypatch, capsys)
    assert adyen_util.is_valid_hmac_notification(json.loads(signed["body"]), ADYEN)


def test_webhookctl_signs_paypal_sdk_message_verifies(tmp_path, monkeypatch, capsys):
    entry = material.generate_paypal()
    (tmp_path / "key.pem").write_text(entry["signing_key"])
    body = json.dumps({"id": "WH-OURS", "event_type": "PAYMENT.CAPTURE.COMPLETED", "note": "東京"}, ensure_ascii=False)
    signed = _cli_sign("paypal", str(tmp_path / "key.pem"), body, tmp_path, monkeypatch, capsys, "--webhook-id", "WHOURS")
    assert paypal_sdk_verifies(signed["body"], signed["headers"], "WHOURS", entry["certificates"][0])


def test_standard_webhooks_v1a_entries_beside_v1_are_ignored_by_the_sdk_and_checked_by_webhookctl(tmp_path, monkeypatch, capsys):
    """The Python SDKs know only v1: a header carrying a v1a (Ed25519) entry and a v1 entry verifies with both sides."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization

    seed = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    signing = "whsk_" + base64.b64encode(seed).decode()
    body = BODIES["non-ascii"](0)
    ours = _cli_sign("standardwebhooks", signing, body, tmp_path, monkeypatch, capsys, "--id", "msg_v1a")
    at = int(ours["headers"]["webhook-timestamp"])
    v1 = standard_sdk_headers(standardwebhooks, "webhook-", body, STANDARD[:1], "msg_v1a", at)["webhook-signature"]
    headers = {**ours["headers"], "webhook-signature": ours["headers"]["webhook-signature"] + " " + v1}
    standardwebhooks.Webhook(STANDARD[0]).verify(body, headers)  # raises when no v1 entry matches
    public = ws.standard_webhooks.public_key_bytes(signing)
    for secrets in ([signing], ["whpk_" + base64.b64encode(public).decode()], [STANDARD[0]]):
        assert _cli_verify("standardwebhooks", secrets, body, headers, tmp_path, monkeypatch, capsys)[0] == 0


# --- SDK signs, the deployed receiver accepts over HTTP (one local cloud for the module) -----------

@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    """An env on a local cloud of this module's own, its secret document set to the keys above."""
    from tests.e2e.conftest import running_local_cloud

    running = running_local_cloud(tmp_path_factory.mktemp("oracles"))
    cloud = next(running)
    try:
        up = cloud.up(ENV)
        assert up.returncode == 0, up.stderr[-2000:]
        outputs = json.loads(up.stdout)["outputs"]
        client = cloud.client("secretsmanager")
        document = json.loads(client.get_secret_value(SecretId=outputs["ProviderSecretArn"])["SecretString"])
        document.update(stripe={"secrets": list(STRIPE)}, standardwebhooks={"secrets": list(STANDARD)},
                        svix={"secrets": list(STANDARD)}, adyen={"secrets": [ADYEN]})
        client.put_secret_value(SecretId=outputs["ProviderSecretArn"], SecretString=json.dumps(document))
        yield outputs, document["paypal"]
    finally:
        next(running, None)  # clears chaos and stops the local cloud


def _post(outputs, provider: str, body: str, headers: dict[str, str]) -> int:
    from tests.e2e.pipeline import post

    url = outputs["WebhookUrlTemplate"].replace("{provider}", provider)
    return post(url, body.encode(), {"Content-Type": "application/json", **headers}).status


RECEIVER_BODIES = ["ascii", "non-ascii"]  # 1 MB is past the receiver's 256 KB max_body_bytes: 413 by design


@pytest.mark.e2e
@pytest.mark.parametrize("body_kind", RECEIVER_BODIES)
@pytest.mark.parametrize("case", ["single", "multiple", "rotation"])
def test_stripe_sdk_signs_receiver_accepts(receiver, case, body_kind):
    outputs, _ = receiver
    body = BODIES[body_kind](f"recv_{case}")
    signers = {"single": STRIPE[:1], "multiple": ("whsec_" + "X" * 32, STRIPE[0]), "rotation": STRIPE[1:]}[case]
    assert _post(outputs, "stripe", body, stripe_sdk_header(body, signers, int(time.time()))) == 200


@pytest.mark.e2e
@pytest.mark.parametrize("provider,module,prefix", [("standardwebhooks", standardwebhooks, "webhook-"), ("svix", svix, "svix-")])
@pytest.mark.parametrize("body_kind", RECEIVER_BODIES)
@pytest.mark.parametrize("case", ["single", "multiple", "rotation"])
def test_standard_webhooks_sdks_sign_receiver_accepts(receiver, provider, module, prefix, case, body_kind):
    outputs, _ = receiver
    body = BODIES[body_kind](case)
    signers = {"single": STANDARD[:1], "multiple": ("whsec_" + base64.b64encode(b"o" * 24).decode(), STANDARD[0]), "rotation": STANDARD[1:]}[case]
    headers = standard_sdk_headers(module, prefix, body, signers, f"msg_{case}_{body_kind}", int(time.time()))
    assert _post(outputs, provider, body, headers) == 200


@pytest.mark.e2e
@pytest.mark.parametrize("reference", ["order-1", "a:b\\c", "Zürich: 東京"])
def test_adyen_sdk_signs_receiver_accepts(receiver, reference):
    outputs, _ = receiver
    body = adyen_sdk_body(adyen_item(len(reference), reference), ADYEN)
    assert _post(outputs, "adyen", body, {}) == 200


@pytest.mark.e2e
def test_paypal_sdk_message_signs_receiver_accepts(receiver):
    outputs, paypal = receiver
    body = json.dumps({"id": "WH-RECV", "event_type": "PAYMENT.CAPTURE.COMPLETED", "note": "東京"}, ensure_ascii=False)
    headers = paypal_sdk_headers(body, paypal, paypal["webhook_id"], "tx-recv", int(time.time()))
    assert _post(outputs, "paypal", body, headers) == 200


@pytest.mark.e2e
def test_sdk_signatures_over_another_body_are_refused_by_both(receiver, tmp_path, monkeypatch, capsys):
    """The oracle can say no: a signature made for one body does not pass for another, on either side."""
    outputs, _ = receiver
    body, other = BODIES["ascii"]("tampered"), BODIES["ascii"]("tampered2")
    headers = stripe_sdk_header(body, STRIPE[:1], int(time.time()))
    assert _post(outputs, "stripe", other, headers) == 401
    assert _cli_verify("stripe", STRIPE, other, headers, tmp_path, monkeypatch, capsys)[0] == 1
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(other, headers["Stripe-Signature"], STRIPE[0], tolerance=300)
