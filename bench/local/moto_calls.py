"""CPU per pipeline call in moto (DynamoDB, SQS), in-process, with and without moto_tuning (run by hand).

The calls are the pipeline's: the receiver's conditional PutItem of a new event, the processor's
conditional UpdateItem (RECEIVED -> PROCESSED, UPDATED_NEW) and a GetItem of the event, sent through
JsonProtocolRoutes to moto's DynamoDB view as the local cloud's server does, on a table with a
NEW_AND_OLD_IMAGES stream; then the dead-letter replay's SQS calls in the JSON protocol (boto3's for
SQS) through moto's dispatcher: ReceiveMessage of 10 from the dead-letter queue, a SendMessage of each
to the source queue, and a DeleteMessageBatch of the 10.
Blocks of each mode alternate in one process; each figure is the median of the blocks' CPU per call.

    python bench/local/moto_calls.py [--calls 300] [--blocks 7] [--leave-out TUNING ...]
                                     [--before-without TUNING ...] [--profile plain|tuned] [--parts]

`--leave-out` names tunings (functions of moto_tuning.TUNINGS) the tuned mode goes without, to see what each pays.
`--before-without` adds a "before" mode: the tuning without the tunings named, measured in the same run.
`--parts` times moto's JSON response serialiser and request parser alone, with and without their plans, on
the answers and requests of one block: far less noisy than whole calls on a shared machine.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import statistics
import time
import uuid
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge import moto_tuning
from webhookctl.localcloud.app import moto_app
from webhookctl.localcloud.moto_bridge.json_routes import JsonProtocolRoutes

AUTH = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=x"
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
        environ = _environ("DynamoDB_20120810", "dynamodb", operation, json.dumps(body).encode())
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

    def get(self, event_id: str) -> str:
        return self.call("GetItem", {"TableName": self.name, "Key": {"event_key": {"S": f"stripe#{event_id}"}},
                                     "ConsistentRead": True})

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


class DeadLetterReplay:
    """A dead-letter queue (a new one per block) and the replay's SQS calls."""

    def __init__(self, app: Any, messages: int):
        self.app = app
        self.dead_letters = self.call("CreateQueue", {"QueueName": f"bench-dlq-{uuid.uuid4().hex[:8]}"})[1]["QueueUrl"]
        for n in range(messages):
            self.call("SendMessage", {"QueueUrl": self.dead_letters, "MessageBody": BODY,
                                      "MessageAttributes": {"provider": {"DataType": "String", "StringValue": "stripe"}}})

    def call(self, operation: str, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        statuses: list[str] = []
        environ = _environ("AmazonSQS", "sqs", operation, json.dumps(body).encode())
        raw = b"".join(self.app(environ, lambda status, headers, exc=None: statuses.append(status)))
        return statuses[0], json.loads(raw) if raw else {}

    def replay(self, spent: dict[str, list[float]]) -> None:
        """Moves every dead letter back to the source queue, adding each call's CPU seconds to `spent`."""
        while True:
            received = self.timed(spent, "ReceiveMessage", {
                "QueueUrl": self.dead_letters, "MaxNumberOfMessages": 10, "MessageAttributeNames": ["All"],
                "MessageSystemAttributeNames": ["ApproximateReceiveCount"]})
            messages = received.get("Messages", [])
            if not messages:
                return
            # moto's SendMessage counts the queue it sends to (it builds every queue attribute to read one), so
            # each batch goes to a new source queue: the pipeline's processor keeps its queue short.
            source = self.call("CreateQueue", {"QueueName": f"bench-src-{uuid.uuid4().hex[:8]}"})[1]["QueueUrl"]
            for message in messages:
                self.timed(spent, "SendMessage", {"QueueUrl": source, "MessageBody": message["Body"],
                                                  "MessageAttributes": message.get("MessageAttributes", {})})
            deleted = self.timed(spent, "DeleteMessageBatch", {"QueueUrl": self.dead_letters, "Entries": [
                {"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]} for n, message in enumerate(messages)]})
            assert not deleted["Failed"], deleted

    def timed(self, spent: dict[str, list[float]], operation: str, body: dict[str, Any]) -> dict[str, Any]:
        start = time.process_time()
        status, answer = self.call(operation, body)
        spent.setdefault(operation, []).append(time.process_time() - start)
        assert status == "200 OK", (operation, status, answer)
        return answer


def _environ(prefix: str, service: str, operation: str, body: bytes) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path="/", method="POST", data=body, headers={
        "X-Amz-Target": f"{prefix}.{operation}", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH.format(service=service), "Host": "127.0.0.1:4566",
    }).get_environ()


def cpu_per_call(calls: Callable[[str], str], ids: list[str]) -> float:
    """CPU µs per call over `ids`; every call must succeed."""
    gc.collect()  # each block starts from the same heap, not paying for the one before
    start = time.process_time()
    statuses = [calls(event_id) for event_id in ids]
    spent = time.process_time() - start
    assert set(statuses) == {"200 OK"}, statuses[:3]
    return spent / len(ids) * 1e6


CALLS = ("PutItem", "UpdateItem", "GetItem", "ReceiveMessage", "SendMessage", "DeleteMessageBatch")


def block(table: Table, app: Any, calls: int) -> dict[str, float]:
    """CPU µs per call of each kind, over `calls` events and the replay of as many dead letters."""
    ids = [uuid.uuid4().hex for _ in range(calls)]
    figures = {"PutItem": cpu_per_call(table.put, ids), "UpdateItem": cpu_per_call(table.update, ids),
               "GetItem": cpu_per_call(table.get, ids)}
    replay = DeadLetterReplay(app, calls)
    spent: dict[str, list[float]] = {}
    gc.collect()
    replay.replay(spent)
    figures.update({operation: sum(seconds) / len(seconds) * 1e6 for operation, seconds in spent.items()})
    return figures


def set_tuning(on: bool, leave_out: tuple[str, ...] = ()) -> None:
    moto_tuning.revert()
    if on:
        moto_tuning.apply(leave_out=leave_out)


def main() -> None:
    names = [t.__name__ for t in moto_tuning.TUNINGS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls of each kind per block")
    parser.add_argument("--blocks", type=int, default=7, help="blocks per mode")
    parser.add_argument("--leave-out", nargs="*", default=[], choices=names)
    parser.add_argument("--before-without", nargs="*", default=[], choices=names)
    parser.add_argument("--profile", choices=("plain", "tuned"), help="cProfile one block of this mode instead")
    parser.add_argument("--parts", action="store_true", help="time the serialiser and the parser alone instead")
    args = parser.parse_args()
    leave_out = tuple(args.leave_out)
    # mode -> what the tuning leaves out (None: moto as it is)
    modes: dict[str, tuple[str, ...] | None] = {"moto": None, "tuned": leave_out}
    if args.before_without:
        modes = {"moto": None, "before": leave_out + tuple(args.before_without), "tuned": leave_out}

    app = moto_app()
    table = Table(JsonProtocolRoutes(app))
    for left_out in modes.values():  # warm-up: imports, moto's lazy setup, the caches
        set_tuning(left_out is not None, left_out or ())
        block(table, app, 50)
    if args.profile:
        return profile(table, app, args.calls, args.profile == "tuned", leave_out)
    if args.parts:
        return parts(table, app, args.calls, args.blocks)

    figures: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(args.blocks):
        for mode, left_out in modes.items():
            set_tuning(left_out is not None, left_out or ())
            figures[mode].append(block(table, app, args.calls))
    set_tuning(False)

    left_out_note = f", tuned without {', '.join(leave_out)}" if leave_out else ""
    before_note = f"; before = tuned without {', '.join(args.before_without)}" if args.before_without else ""
    print(f"CPU µs per call, median of {args.blocks} blocks of {args.calls} events each{left_out_note}{before_note}")
    base = "before" if "before" in modes else "moto"
    print(f"{'call':<20}" + "".join(f"{mode:>9}" for mode in modes) + f"{'tuned/' + base:>14}")
    for call in CALLS:
        medians = {mode: statistics.median(f[call] for f in figures[mode]) for mode in modes}
        print(f"{call:<20}" + "".join(f"{medians[mode]:>9.0f}" for mode in modes)
              + f"{medians['tuned'] / medians[base]:>14.2f}")


PLANS = ("serialise_json_results_by_plan", "parse_json_requests_by_plan")


def parts(table: Table, app: Any, calls: int, blocks: int) -> None:
    """CPU µs per call in moto's JSON serialiser and request parser, without and with the plans (blocks alternate)."""
    answers, requests = record_block(table, app, calls)
    work = {("serialise", operation): [functools.partial(serialise, *args) for args in recorded]
            for operation, recorded in answers.items()}
    work.update({("parse", operation): [functools.partial(parse, *args) for args in recorded]
                 for operation, recorded in requests.items()})
    figures: dict[tuple[str, str], dict[bool, list[float]]] = {part: {False: [], True: []} for part in work}
    for _ in range(blocks):
        for planned in (False, True):
            set_tuning(True, () if planned else PLANS)
            for part, steps in work.items():
                gc.collect()
                start = time.process_time()
                for step in steps:
                    step()
                figures[part][planned].append((time.process_time() - start) / len(steps) * 1e6)
    set_tuning(False)
    print(f"CPU µs per call in moto's JSON serialiser / parser alone, median of {blocks} blocks, on one block's "
          f"{calls} events' answers and requests; before = tuned without {', '.join(PLANS)}")
    print(f"{'part':<30}{'before':>9}{'tuned':>9}{'tuned/before':>14}")
    for (part, operation), by_mode in sorted(figures.items(), key=lambda item: (item[0][0], CALLS.index(item[0][1]))):
        before, tuned = statistics.median(by_mode[False]), statistics.median(by_mode[True])
        print(f"{part + ' ' + operation:<30}{before:>9.0f}{tuned:>9.0f}{tuned / before:>14.2f}")


def record_block(table: Table, app: Any, calls: int) -> tuple[dict[str, list], dict[str, list]]:
    """One tuned block's results (operation model, result) and JSON request bodies (operation model, body), by call."""
    import copy

    from moto.core.parse import RequestParser
    from moto.core.responses import ActionResult

    answers: dict[str, list] = {}
    requests: dict[str, list] = {}
    execute_result, parse_request = ActionResult.execute_result, RequestParser.parse

    def recording_result(result: Any, context: Any) -> Any:
        if not isinstance(result.result, Exception):
            answers.setdefault(context.operation_model.name, []).append((context.operation_model, copy.deepcopy(result.result)))
        return execute_result(result, context)

    def recording_request(parser: Any, request: dict[str, Any]) -> Any:
        requests.setdefault(parser.operation_model.name, []).append((parser.operation_model, request["body"]))
        return parse_request(parser, request)

    set_tuning(True)
    ActionResult.execute_result, RequestParser.parse = recording_result, recording_request
    try:
        block(table, app, calls)
    finally:
        ActionResult.execute_result, RequestParser.parse = execute_result, parse_request
    return ({operation: found for operation, found in answers.items() if operation in CALLS},
            {operation: found for operation, found in requests.items() if operation in CALLS})


def serialise(operation_model: Any, result: Any) -> Any:
    """What ActionResult.execute_result does with a JSON-protocol result."""
    from moto.core.serialize import JSONSerializer, XFormedAttributePicker

    picker = XFormedAttributePicker(response_transformers={})
    return JSONSerializer(operation_model=operation_model, value_picker=picker).serialize(result)


def parse(operation_model: Any, body: bytes) -> Any:
    """What BaseResponse.parse_parameters does with a JSON-protocol request body."""
    from moto.core.parse import JSONParser

    request = {"method": "POST", "values": {}, "headers": {}, "body": body, "url_path": "/", "url_params": {}}
    return JSONParser(operation_model, map_type=dict).parse(request)


def profile(table: Table, app: Any, calls: int, on: bool, leave_out: tuple[str, ...]) -> None:
    import cProfile
    import pstats

    set_tuning(on, leave_out)
    profiler = cProfile.Profile()
    profiler.runcall(block, table, app, calls)
    set_tuning(False)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
