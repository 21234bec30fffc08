"""Every published vector verifies with the library, and breaks when any signed part changes."""

from __future__ import annotations

import pytest

import webhook_signatures as ws
from tests.signature_vectors import load_vectors

VECTORS = load_vectors()


def _config(vector: dict) -> ws.ProviderConfig:
    return ws.ProviderConfig(secrets=(vector["secret"],), notification_url=vector.get("notification_url"))


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['provider']}-{i}" for i, v in enumerate(VECTORS)])
def test_vector(vector: dict) -> None:
    verify = lambda: ws.verify(vector["provider"], vector["headers"], vector["body"].encode(), _config(vector), now=vector.get("timestamp"))  # noqa: E731
    if vector["valid"]:
        delivery = verify()
        assert delivery.event_id
    else:
        with pytest.raises(ws.SignatureInvalid):
            verify()


@pytest.mark.parametrize("vector", [v for v in VECTORS if v["valid"]], ids=lambda v: v["provider"])
def test_vector_fails_with_a_changed_body(vector: dict) -> None:
    # Adyen signs item fields, not the raw body: change the amount, a signed field.
    body = vector["body"].replace("1130", "1131") if vector["provider"] == "adyen" else vector["body"] + " "
    assert body != vector["body"]
    body = body.encode()
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(vector["provider"], vector["headers"], body, _config(vector), now=vector.get("timestamp"))


@pytest.mark.parametrize("vector", [v for v in VECTORS if v["valid"]], ids=lambda v: v["provider"])
def test_vector_fails_with_another_secret(vector: dict) -> None:
    other = {**vector, "secret": _other_secret(vector["provider"])}
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(vector["provider"], vector["headers"], vector["body"].encode(), _config(other), now=vector.get("timestamp"))


def test_adyen_vector_signed_string() -> None:
    from webhook_signatures import adyen

    vector = next(v for v in VECTORS if v["provider"] == "adyen")
    import json

    item = json.loads(vector["body"])["notificationItems"][0]["NotificationRequestItem"]
    assert adyen.signing_string(item).decode() == vector["signed_string"]


def _other_secret(provider: str) -> str:
    return {
        "stripe": "whsec_another_secret",
        "standardwebhooks": "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY",
        "svix": "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY",
        "adyen": "00" * 32,
    }.get(provider, "another secret")
