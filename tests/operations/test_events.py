"""events list / show: newest first, filtered, and without signatures."""

from __future__ import annotations

import json

import pytest

from webhookctl.errors import NotDeployedError, UsageError, WebhookctlError
from webhookctl.operations.events import list_events, show_event

from tests.operations.conftest import put_event


def test_list_is_newest_first_filtered_and_limited(env):
    put_event(env, "stripe", "evt_1", received_at="2024-05-01T10:00:01.000Z")
    put_event(env, "stripe", "evt_2", status="PROCESSED", received_at="2024-05-01T10:00:03.000Z")
    put_event(env, "github", "d-1", received_at="2024-05-01T10:00:02.000Z")
    assert [e["event_key"] for e in list_events(env.ctx, env.settings).to_json()] == ["stripe#evt_2", "github#d-1", "stripe#evt_1"]
    assert [e.event_key for e in list_events(env.ctx, env.settings, provider="stripe", status="received").events] == ["stripe#evt_1"]
    assert len(list_events(env.ctx, env.settings, limit=1).events) == 1
    with pytest.raises(UsageError):
        list_events(env.ctx, env.settings, status="DONE")


def test_show_has_the_contract_keys_and_no_signatures(env):
    body = {"notificationItems": [{"NotificationRequestItem": {"pspReference": "1", "additionalData": {"hmacSignature": "SIGVALUE"}}}]}
    put_event(env, "adyen", "AUTHORISATION:1", extra={
        "body": {"S": json.dumps(body)},
        "headers": {"M": {"content-type": {"S": "application/json"}, "Stripe-Signature": {"S": "t=1,v1=SIGVALUE"}}},
    })
    shown = show_event(env.ctx, env.settings, "adyen#AUTHORISATION:1").to_json()
    assert {"event_key", "provider", "event_id", "event_type", "status", "received_at", "processed_at", "attempts"} <= set(shown)
    assert "SIGVALUE" not in json.dumps(shown)
    assert shown["headers"] == {"content-type": "application/json"}


def test_unknown_key_fails_with_code_1_and_no_table_is_not_deployed(env, mocked, settings):
    with pytest.raises(WebhookctlError) as caught:
        show_event(env.ctx, env.settings, "stripe#nope")
    assert caught.value.code == 1
    env.client("dynamodb").delete_table(TableName=env.names.table)
    with pytest.raises(NotDeployedError):
        list_events(env.ctx, env.settings)
