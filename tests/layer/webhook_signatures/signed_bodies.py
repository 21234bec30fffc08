"""Bodies shaped the way each provider sends them, and where each provider's event id ends up."""

from __future__ import annotations

import json


def body_for(provider: str, event_id: str, event_type: str, note: str = "") -> bytes:
    if provider == "adyen":
        item = {
            "pspReference": event_id,
            "merchantAccountCode": "TestMerchant",
            "merchantReference": "order-" + note[:20],
            "amount": {"currency": "EUR", "value": 1130},
            "eventCode": event_type,
            "success": "true",
        }
        return json.dumps({"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}).encode()
    document = {"id": event_id, "type": event_type, "note": note}
    if provider == "square":
        document = {"event_id": event_id, "type": event_type, "note": note}
    if provider == "paypal":
        document = {"id": event_id, "event_type": event_type, "note": note}
    return json.dumps(document).encode()


def expected_id(provider: str, event_id: str, event_type: str, msg_id: str) -> str:
    if provider in ("github", "shopify", "standardwebhooks", "svix"):
        return msg_id
    if provider == "adyen":
        return f"{event_type}:{event_id}"
    return event_id
