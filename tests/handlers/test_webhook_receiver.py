"""The webhook receiver against moto: every status path, dedupe, hand-off, rotation, and log hygiene."""

from __future__ import annotations

import json
import time
from types import ModuleType
from typing import Any, Callable, Iterator

import pytest
from moto import mock_aws

from tests.handlers.cloud import PROCESSOR, TABLE, Cloud, create_cloud
from tests.handlers.lambda_events import LambdaContext, proxy_event, stripe_body
from webhook_signatures import material, sign

ENABLED = "stripe,github,square,paypal"


@pytest.fixture
def document() -> dict[str, Any]:
    return {provider: material.generate(provider) for provider in ("stripe", "github", "square", "paypal")}


@pytest.fixture
def cloud(aws_credentials: None, monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]) -> Iterator[Cloud]:
    with mock_aws():
        cloud = create_cloud(document)
        for name, value in {
            "EVENTS_TABLE": TABLE,
            "PROCESSOR_FUNCTION": PROCESSOR,
            "SECRET_ID": cloud.secret_arn,
            "MAX_BODY_BYTES": "4096",
            "PROVIDERS_ENABLED": ENABLED,
            "PROVIDER_SETTINGS": "{}",
            "WEBHOOK_URL_BASE": "https://api.example.com/live/webhook/",
            "SECRETS_TTL_S": "300",
            "DUPLICATE_GRACE_S": "60",
        }.items():
            monkeypatch.setenv(name, value)
        yield cloud


@pytest.fixture
def receiver(cloud: Cloud, load_handler: Callable[[str], ModuleType]) -> ModuleType:
    return load_handler("webhook_receiver")


@pytest.fixture
def handoffs(receiver: ModuleType) -> list[dict[str, Any]]:
    """Payloads the receiver hands to the processor, seen on its own Lambda client (calls still reach moto)."""
    seen: list[dict[str, Any]] = []

    def spy(params: dict[str, Any], **_: Any) -> None:
        seen.append({"invocation_type": params["InvocationType"], "function": params["FunctionName"],
                     "payload": json.loads(params["Payload"])})

    receiver.aws_clients.client("lambda").meta.events.register("provide-client-params.lambda.Invoke", spy)
    return seen


def config_for(document: dict[str, Any], provider: str) -> Any:
    settings = {"notification_url": "https://api.example.com/live/webhook/square"} if provider == "square" else {}
    return material.provider_config(provider, document[provider], settings)


def deliver(receiver: ModuleType, provider: str, headers: dict[str, str], body: bytes, **options: Any) -> dict[str, Any]:
    response = receiver.handler(proxy_event(provider, headers, body, **options), LambdaContext())
    response["json"] = json.loads(response["body"])
    return response


def signed(document: dict[str, Any], provider: str, body: bytes, **options: Any) -> tuple[dict[str, str], bytes]:
    delivery = sign(provider, body, config_for(document, provider), **options)
    return delivery.headers, delivery.body


# --- accepted, stored, handed off ------------------------------------------------------------------

def test_accepted_delivery_is_stored_then_handed_off(receiver, cloud, document, handoffs):
    headers, body = signed(document, "stripe", stripe_body("evt_100"))
    headers["User-Agent"] = "Stripe/1.0"
    response = deliver(receiver, "stripe", headers, body)

    assert response["statusCode"] == 200
    assert response["json"] == {"received": True, "event_key": "stripe#evt_100"}
    item = cloud.item("stripe#evt_100")
    assert item["status"] == {"S": "RECEIVED"}
    assert item["attempts"] == {"N": "0"}
    assert item["body"] == {"S": body.decode()}
    assert item["event_type"] == {"S": "payment_intent.succeeded"}
    assert item["received_at"]["S"].endswith("Z") and len(item["received_at"]["S"]) == 24
    assert int(item["expires_at"]["N"]) - time.time() == pytest.approx(90 * 86400, abs=60)
    assert item["headers"]["M"] == {"user-agent": {"S": "Stripe/1.0"}}  # no Stripe-Signature
    assert handoffs == [{"invocation_type": "Event", "function": PROCESSOR, "payload": {
        "event_key": "stripe#evt_100", "provider": "stripe", "event_id": "evt_100",
        "event_type": "payment_intent.succeeded"}}]


def test_base64_encoded_body_is_decoded_and_stored_exactly(receiver, cloud, document):
    headers, body = signed(document, "stripe", stripe_body("evt_b64"))
    response = deliver(receiver, "stripe", headers, body, base64_encoded=True)
    assert response["statusCode"] == 200
    assert cloud.item("stripe#evt_b64")["body"] == {"S": body.decode()}


def test_github_delivery_is_keyed_by_its_header_whatever_the_body(receiver, cloud, document):
    headers, body = signed(document, "github", b"payload=%7B%7D")  # form-encoded, not JSON
    response = deliver(receiver, "github", headers, body)
    assert response["statusCode"] == 200
    assert response["json"]["event_key"] == f"github#{headers['X-GitHub-Delivery']}"
    assert cloud.item(response["json"]["event_key"])["headers"]["M"]["x-github-delivery"]


def test_square_signs_the_default_notification_url(receiver, document):
    headers, body = signed(document, "square", b'{"event_id":"sq-1","type":"payment.updated"}')
    assert deliver(receiver, "square", headers, body)["json"] == {"received": True, "event_key": "square#sq-1"}


def test_paypal_verifies_with_the_certificate_from_the_secret(receiver, document):
    headers, body = signed(document, "paypal", b'{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}')
    response = deliver(receiver, "paypal", headers, body)
    assert response["statusCode"] == 200
    assert response["json"]["event_key"] == "paypal#WH-1"


# --- refusals --------------------------------------------------------------------------------------

@pytest.mark.parametrize("provider", ["nosuch", "shopify"])  # unknown; known but not enabled
def test_unknown_or_disabled_provider_is_404(receiver, cloud, provider):
    response = deliver(receiver, provider, {}, b"{}")
    assert response["statusCode"] == 404
    assert cloud.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_body_over_the_limit_is_413_before_any_verification(receiver, cloud, document):
    headers, body = signed(document, "stripe", stripe_body("evt_big", size=5000))
    assert len(body) > 4096
    response = deliver(receiver, "stripe", headers, body)
    assert response["statusCode"] == 413
    assert cloud.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_signed_stripe_body_that_is_not_json_is_400(receiver, cloud, document):
    headers, body = signed(document, "stripe", b"this is not json")
    response = deliver(receiver, "stripe", headers, body)
    assert response["statusCode"] == 400
    assert cloud.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_body_marked_base64_that_is_not_is_400(receiver):
    event = proxy_event("stripe", {}, b"{}")
    event.update(body="%%%not base64%%%", isBase64Encoded=True)
    assert receiver.handler(event, LambdaContext())["statusCode"] == 400


def test_every_401_reason_gets_the_same_body(receiver, cloud, document):
    body = stripe_body("evt_401")
    good_headers, _ = signed(document, "stripe", body)
    forged = dict(good_headers, **{"Stripe-Signature": good_headers["Stripe-Signature"][:-4] + "0000"})
    stale_headers, _ = signed(document, "stripe", body, at=int(time.time()) - 3600)
    other_secret = material.provider_config("stripe", material.generate("stripe"), {})
    wrong_secret = sign("stripe", body, other_secret).headers

    responses = [deliver(receiver, "stripe", headers, body) for headers in ({}, forged, stale_headers, wrong_secret)]

    assert {r["statusCode"] for r in responses} == {401}
    assert {r["body"] for r in responses} == {json.dumps({"message": "Unauthorized"}, separators=(",", ":"))}
    assert {json.dumps(r["headers"], sort_keys=True) for r in responses} == {json.dumps(responses[0]["headers"], sort_keys=True)}
    assert cloud.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_secrets_unreadable_is_503_not_401(receiver, cloud, document):
    cloud.secretsmanager.delete_secret(SecretId=cloud.secret_arn, ForceDeleteWithoutRecovery=True)
    headers, body = signed(document, "stripe", stripe_body("evt_nosecret"))
    assert deliver(receiver, "stripe", headers, body)["statusCode"] == 503


def test_table_unwritable_is_503_and_nothing_is_handed_off(receiver, cloud, document, handoffs):
    cloud.dynamodb.delete_table(TableName=TABLE)
    headers, body = signed(document, "stripe", stripe_body("evt_notable"))
    assert deliver(receiver, "stripe", headers, body)["statusCode"] == 503
    assert handoffs == []


# --- duplicates and the hand-off -------------------------------------------------------------------

def test_duplicate_within_grace_is_200_without_a_second_hand_off(receiver, document, handoffs):
    headers, body = signed(document, "stripe", stripe_body("evt_dup"))
    first = deliver(receiver, "stripe", headers, body)
    second = deliver(receiver, "stripe", headers, body)
    assert first["statusCode"] == second["statusCode"] == 200
    assert second["json"] == {"duplicate": True, "event_key": "stripe#evt_dup", "status": "RECEIVED"}
    assert len(handoffs) == 1


def test_duplicate_of_a_processed_event_is_not_handed_off(receiver, cloud, document, handoffs):
    cloud.put_item(event_key="stripe#evt_done", status="PROCESSED", received_at="2020-01-01T00:00:00.000Z")
    headers, body = signed(document, "stripe", stripe_body("evt_done"))
    response = deliver(receiver, "stripe", headers, body)
    assert response["json"] == {"duplicate": True, "event_key": "stripe#evt_done", "status": "PROCESSED"}
    assert handoffs == []


def test_duplicate_still_received_after_grace_is_handed_off_again(receiver, cloud, document, handoffs):
    cloud.put_item(event_key="stripe#evt_stuck", provider="stripe", status="RECEIVED", attempts=0,
                   received_at="2020-01-01T00:00:00.000Z")
    headers, body = signed(document, "stripe", stripe_body("evt_stuck"))
    response = deliver(receiver, "stripe", headers, body)
    assert response["statusCode"] == 200
    assert response["json"]["duplicate"] is True
    assert [h["payload"]["event_key"] for h in handoffs] == ["stripe#evt_stuck"]
    assert cloud.item("stripe#evt_stuck")["received_at"] == {"S": "2020-01-01T00:00:00.000Z"}  # not overwritten


def test_hand_off_failure_is_503_and_the_event_stays_stored(receiver, cloud, document):
    cloud.lambda_.delete_function(FunctionName=PROCESSOR)
    headers, body = signed(document, "stripe", stripe_body("evt_lost"))
    response = deliver(receiver, "stripe", headers, body)
    assert response["statusCode"] == 503
    assert cloud.item("stripe#evt_lost")["status"] == {"S": "RECEIVED"}


def test_failed_re_hand_off_of_an_overdue_duplicate_is_503(receiver, cloud, document):
    cloud.put_item(event_key="stripe#evt_late", status="RECEIVED", received_at="2020-01-01T00:00:00.000Z")
    cloud.lambda_.delete_function(FunctionName=PROCESSOR)
    headers, body = signed(document, "stripe", stripe_body("evt_late"))
    assert deliver(receiver, "stripe", headers, body)["statusCode"] == 503


def test_provider_retry_after_a_failed_hand_off_hands_it_on_even_within_grace(receiver, cloud, document,
                                                                            handoffs, monkeypatch):
    monkeypatch.setenv("PROCESSOR_FUNCTION", "webhookctl-processor-gone")
    receiver._deps = None  # settings are read once per container: this one starts now
    headers, body = signed(document, "stripe", stripe_body("evt_retry"))
    assert deliver(receiver, "stripe", headers, body)["statusCode"] == 503
    assert "handoff_failed_at" in cloud.item("stripe#evt_retry")

    monkeypatch.setenv("PROCESSOR_FUNCTION", PROCESSOR)
    receiver._deps = None
    retry = deliver(receiver, "stripe", headers, body)  # seconds later: well within DUPLICATE_GRACE_S=60
    assert retry["statusCode"] == 200
    assert retry["json"]["duplicate"] is True
    assert [(h["function"], h["payload"]["event_key"]) for h in handoffs] == [
        ("webhookctl-processor-gone", "stripe#evt_retry"), (PROCESSOR, "stripe#evt_retry")]


# --- secrets: rotation and refresh limits ----------------------------------------------------------

def test_new_secret_is_accepted_on_its_first_delivery(receiver, cloud, document):
    headers, body = signed(document, "stripe", stripe_body("evt_warm"))
    assert deliver(receiver, "stripe", headers, body)["statusCode"] == 200  # the cache is warm now

    rotated = dict(document, stripe=material.set_secret(document["stripe"], "stripe",
                                                        material.generate("stripe")["secrets"][0], False))
    cloud.set_document(rotated)
    headers, body = signed(rotated, "stripe", stripe_body("evt_rotated"))
    assert deliver(receiver, "stripe", headers, body)["statusCode"] == 200

    old_headers, old_body = signed(document, "stripe", stripe_body("evt_old_secret"))
    assert deliver(receiver, "stripe", old_headers, old_body)["statusCode"] == 401


def test_a_flood_of_forgeries_does_not_flood_secrets_manager(receiver, document):
    headers, body = signed(document, "stripe", stripe_body("evt_ok"))
    deliver(receiver, "stripe", headers, body)
    reads_before = receiver._deps.secrets.reads
    forged = {"Stripe-Signature": f"t={int(time.time())},v1={'0' * 64}"}
    for number in range(50):
        assert deliver(receiver, "stripe", forged, stripe_body(f"evt_forged_{number}"))["statusCode"] == 401
    assert receiver._deps.secrets.reads - reads_before <= 1


# --- logs --------------------------------------------------------------------------------------------

def test_logs_are_json_with_the_event_key_and_never_secrets_or_signatures(receiver, document, capsys):
    headers, body = signed(document, "stripe", stripe_body("evt_logged"))
    deliver(receiver, "stripe", headers, body)
    forged = dict(headers, **{"Stripe-Signature": headers["Stripe-Signature"][:-4] + "beef"})
    deliver(receiver, "stripe", forged, stripe_body("evt_forged"))

    output = capsys.readouterr().out
    lines = [json.loads(line) for line in output.splitlines()]
    accepted = [line for line in lines if line["message"] == "accepted"]
    assert accepted and accepted[0]["event_key"] == "stripe#evt_logged"
    assert accepted[0]["request_id"] == "req-0001"
    assert any(line["status"] == 401 for line in lines)
    secrets = [s for entry in document.values() for s in entry.get("secrets", [])]
    for secret in secrets:
        assert secret not in output
        assert secret.removeprefix("whsec_") not in output
    signature = headers["Stripe-Signature"]
    for part in signature.split(","):
        if part.startswith("v1="):
            assert part[3:] not in output
    assert forged["Stripe-Signature"].split("v1=")[1] not in output
