"""The same-work peer: `chalice local` doing, per request and synchronously, what the pipeline does in total.

Copied into a throwaway project dir as app.py and served by `chalice local` against a plain
`moto server` (BENCH_MOTO_URL) on the same machine. Per request:
  1. verify the signature with the same webhook_signatures module as the receiver;
  2. the receiver's conditional PutItem of the same item (attribute_not_exists(event_key));
  3. the processor's conditional UpdateItem RECEIVED -> PROCESSED (the same expressions);
  4. the audit write: one PutLogEvents with the event's two audit lines (RECEIVED, PROCESSED),
     as the audit function writes a line per stream record.
It answers 200 only once all four are done, so its accepted rate is its completed rate.
"""

import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.environ["BENCH_LAYER_DIR"])

import boto3  # noqa: E402
import webhook_signatures  # noqa: E402
from chalice import Chalice, Response  # noqa: E402
from webhook_runtime.timestamps import RETENTION_S, iso_utc  # noqa: E402

app = Chalice(app_name="peer")
CONFIG = webhook_signatures.ProviderConfig(secrets=(os.environ["BENCH_SECRET"],))
TABLE = os.environ["BENCH_TABLE"]
LOG_GROUP = os.environ["BENCH_LOG_GROUP"]
_KW = dict(region_name="us-east-1", endpoint_url=os.environ["BENCH_MOTO_URL"], aws_access_key_id="testing", aws_secret_access_key="testing")
DYNAMODB = boto3.client("dynamodb", **_KW)
LOGS = boto3.client("logs", **_KW)
STREAM = "peer/" + uuid.uuid4().hex
LOGS.create_log_stream(logGroupName=LOG_GROUP, logStreamName=STREAM)
_KEPT = ("content-type", "user-agent", "stripe-")


def _item(provider, delivery, headers, body, now):
    kept = {name.lower(): {"S": value} for name, value in headers.items() if name.lower().startswith(_KEPT) and "signature" not in name.lower()}
    return {
        "event_key": {"S": f"{provider}#{delivery.event_id}"}, "provider": {"S": provider}, "event_id": {"S": delivery.event_id},
        "event_type": {"S": delivery.event_type or ""}, "status": {"S": "RECEIVED"}, "received_at": {"S": iso_utc(now)},
        "attempts": {"N": "0"}, "headers": {"M": kept}, "expires_at": {"N": str(int(now) + RETENTION_S)}, "body": {"S": body.decode("utf-8")},
    }  # fmt: skip


def _audit_line(event_key, provider, event_type, old, new, now):
    line = {"event_key": event_key, "provider": provider, "event_type": event_type, "old_status": old, "new_status": new, "time": iso_utc(now)}
    return json.dumps(line, separators=(",", ":"))


@app.route("/webhook/{provider}", methods=["POST"], content_types=["application/json"])
def webhook(provider):
    request = app.current_request
    now = time.time()
    try:
        delivery = webhook_signatures.verify(provider, request.headers, request.raw_body, CONFIG, now=now)
    except webhook_signatures.WebhookError:
        return Response(body={"message": "Unauthorized"}, status_code=401)
    event_key = f"{provider}#{delivery.event_id}"
    try:
        DYNAMODB.put_item(TableName=TABLE, Item=_item(provider, delivery, request.headers, request.raw_body, now),
                          ConditionExpression="attribute_not_exists(event_key)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except DYNAMODB.exceptions.ConditionalCheckFailedException:
        return {"duplicate": True, "event_key": event_key}
    DYNAMODB.update_item(
        TableName=TABLE, Key={"event_key": {"S": event_key}},
        UpdateExpression="SET #status = :processed, processed_at = :now ADD attempts :one", ConditionExpression="#status = :received",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":processed": {"S": "PROCESSED"}, ":received": {"S": "RECEIVED"}, ":now": {"S": iso_utc(time.time())}, ":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )  # fmt: skip
    done = time.time()
    lines = [_audit_line(event_key, provider, delivery.event_type, None, "RECEIVED", now), _audit_line(event_key, provider, delivery.event_type, "RECEIVED", "PROCESSED", done)]
    LOGS.put_log_events(logGroupName=LOG_GROUP, logStreamName=STREAM, logEvents=[{"timestamp": int(done * 1000), "message": line} for line in lines])
    return {"received": True, "event_key": event_key}
