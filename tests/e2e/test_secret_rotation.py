"""A replaced secret stops verifying at once on the local cloud, over HTTP, through a warm receiver."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.e2e

ENV = "rotate"


def _post(url: str, secret: str) -> int:
    import webhook_signatures
    from webhook_signatures import ProviderConfig

    body = json.dumps({"id": "evt_" + uuid.uuid4().hex, "type": "payment_intent.succeeded", "object": "event"}).encode()
    signed = webhook_signatures.sign("stripe", body, ProviderConfig(secrets=(secret,)))
    request = urllib.request.Request(url, data=body, headers={**signed.headers, "Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _set(local_cloud, secret: str, *extra: str) -> dict:
    result = local_cloud.run("secrets", "set", "stripe", "--value", secret, *extra, *local_cloud.env_args(ENV), "-o", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_replaced_secret_is_refused_at_once(local_cloud, deployed):
    url = deployed(ENV)["WebhookUrlTemplate"].replace("{provider}", "stripe")
    old, new = "whsec_" + uuid.uuid4().hex, "whsec_" + uuid.uuid4().hex
    _set(local_cloud, old)
    assert _post(url, old) == 200  # the receiver is warm and has cached `old`

    kept = _set(local_cloud, new, "--keep-previous")
    assert kept["previous_stops_verifying_s"] is None
    assert (_post(url, old), _post(url, new)) == (200, 200)

    replaced = _set(local_cloud, old)  # rotate away from `new` without keeping it
    set_returned = time.monotonic()
    assert replaced["previous_stops_verifying_s"] == 0
    assert _post(url, new) == 401  # the first delivery after `secrets set` is already refused
    refused_after_s = time.monotonic() - set_returned
    assert _post(url, old) == 200
    print(f"rotated-away secret refused {refused_after_s:.3f} s after secrets set returned")
