"""CPU per DynamoDB PutItem / UpdateItem in moto, in-process, with and without moto_tuning (run by hand).

The calls are the pipeline's: the receiver's conditional PutItem of a new event and the processor's
conditional UpdateItem (RECEIVED -> PROCESSED, UPDATED_NEW), sent through JsonProtocolRoutes to
moto's DynamoDB view as the local cloud's server does, on a table with a NEW_AND_OLD_IMAGES stream.
Blocks of each mode alternate in one process; each figure is the median of the blocks' CPU per call.

    python bench/local/moto_calls.py [--calls 300] [--blocks 7] [--leave-out TUNING ...] [--profile plain|tuned]

`--leave-out` names tunings (functions of moto_tuning.TUNINGS) the tuned mode goes without, to see what each pays.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import uuid
from typing import Any, Callable

from webhookctl.localcloud import moto_tuning
from webhookctl.localcloud.app import moto_app
from webhookctl.localcloud.json_routes import JsonProtocolRoutes

AUTH = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x"
HEADERS = {f"x-header-{n}": {"S": f"value {n}"} for n in range(8)}
BODY = json.dumps({"id": "evt", "type": "payment_intent.succeeded", "data": {"object": {"amount": 1999, "note": "x" * 600}}})


class Table:
    """One events table (with its stream) and the calls the pipeline makes on it."""

    def __init__(self, routes: JsonProtocolRoutes):
        self.routes = routes
        self.name = f"bench-{uuid.uuid4().hex[:8]}"
        self.call("CreateTable", {
            "TableName": self.name, "KeySchema": [{"AttributeName": "event_key", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "event_key", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        })

    def call(self, operation: str, body: dict[str, Any]) -> str:
        statuses: list[str] = []
        environ = _environ(operation, json.dumps(body).encode())
        b"".join(self.routes.serve(environ, lambda status, headers, exc=None: statuses.append(status)))
        return statuses[0]

    def put(self, event_id: str) -> str:
        item = {
            "event_key": {"S": f"stripe#{event_id}"}, "provider": {"S": "stripe"}, "event_id": {"S": event_id},
            "status": {"S": "RECEIVED"}, "received_at": {"S": "2026-01-01T00:00:00.000Z"}, "attempts": {"N": "0"},
            "headers": {"M": HEADERS}, "expires_at": {"N": "1790000000"}, "body": {"S": BODY},
        }
        return self.call("PutItem", {
            "TableName": self.name, "Item": item, "ConditionExpression": "attribute_not_exists(event_key)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        })

    def update(self, event_id: str) -> str:
        return self.call("UpdateItem", {
            "TableName": self.name, "Key": {"event_key": {"S": f"stripe#{event_id}"}},
            "UpdateExpression": "SET #status = :processed, processed_at = :now ADD attempts :one",
            "ConditionExpression": "#status = :received",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":processed": {"S": "PROCESSED"}, ":received": {"S": "RECEIVED"},
                                          ":now": {"S": "2026-01-01T00:00:01.000Z"}, ":one": {"N": "1"}},
            "ReturnValues": "UPDATED_NEW", "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        })


def _environ(operation: str, body: bytes) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path="/", method="POST", data=body, headers={
        "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH, "Host": "127.0.0.1",
    }).get_environ()


def cpu_per_call(calls: Callable[[str], str], ids: list[str]) -> float:
    """CPU µs per call over `ids`; every call must succeed."""
    gc.collect()  # each block starts from the same heap, not paying for the one before
    start = time.process_time()
    statuses = [calls(event_id) for event_id in ids]
    spent = time.process_time() - start
    assert set(statuses) == {"200 OK"}, statuses[:3]
    return spent / len(ids) * 1e6


def block(table: Table, calls: int) -> tuple[float, float]:
    ids = [uuid.uuid4().hex for _ in range(calls)]
    return cpu_per_call(table.put, ids), cpu_per_call(table.update, ids)


def set_tuning(on: bool, leave_out: tuple[str, ...] = ()) -> None:
    moto_tuning.revert()
    if on:
        moto_tuning.apply(leave_out=leave_out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls of each kind per block")
    parser.add_argument("--blocks", type=int, default=7, help="blocks per mode")
    parser.add_argument("--leave-out", nargs="*", default=[], choices=[t.__name__ for t in moto_tuning.TUNINGS])
    parser.add_argument("--profile", choices=("plain", "tuned"), help="cProfile one block of this mode instead")
    args = parser.parse_args()
    leave_out = tuple(args.leave_out)

    table = Table(JsonProtocolRoutes(moto_app()))
    for on in (False, True):  # warm-up: imports, moto's lazy setup, the caches
        set_tuning(on, leave_out)
        block(table, 50)
    if args.profile:
        return profile(table, args.calls, args.profile == "tuned", leave_out)

    figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(args.blocks):
        for on in (False, True):
            set_tuning(on, leave_out)
            figures[on].append(block(table, args.calls))
    set_tuning(False)

    left_out = f", tuned without {', '.join(leave_out)}" if leave_out else ""
    print(f"CPU µs per call, median of {args.blocks} blocks of {args.calls} calls each{left_out}")
    print(f"{'call':<11}{'moto':>9}{'tuned':>9}{'tuned/moto':>12}")
    for index, call in enumerate(("PutItem", "UpdateItem")):
        plain = statistics.median(f[index] for f in figures[False])
        tuned = statistics.median(f[index] for f in figures[True])
        print(f"{call:<11}{plain:>9.0f}{tuned:>9.0f}{tuned / plain:>12.2f}")


def profile(table: Table, calls: int, on: bool, leave_out: tuple[str, ...]) -> None:
    import cProfile
    import pstats

    set_tuning(on, leave_out)
    profiler = cProfile.Profile()
    profiler.runcall(block, table, calls)
    set_tuning(False)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
