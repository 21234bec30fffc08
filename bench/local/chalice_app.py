"""The baseline: `chalice local` serving a Stripe-signature-verifying handler that stores nothing.

Copied into a throwaway project dir as app.py; verification uses the same webhook_signatures
module as the receiver (on sys.path through BENCH_LAYER_DIR).
"""

import os
import sys

sys.path.insert(0, os.environ["BENCH_LAYER_DIR"])

import webhook_signatures  # noqa: E402
from chalice import Chalice, Response  # noqa: E402

app = Chalice(app_name="baseline")
CONFIG = webhook_signatures.ProviderConfig(secrets=(os.environ["BENCH_SECRET"],))


@app.route("/webhook/{provider}", methods=["POST"], content_types=["application/json"])
def webhook(provider):
    request = app.current_request
    try:
        delivery = webhook_signatures.verify(provider, request.headers, request.raw_body, CONFIG)
    except webhook_signatures.WebhookError:
        return Response(body={"message": "Unauthorized"}, status_code=401)
    return {"received": True, "event_key": f"{provider}#{delivery.event_id}"}
