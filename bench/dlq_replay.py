"""Benchmark `dlq replay` against a one-message-at-a-time baseline, in the same run.

    python bench/dlq_replay.py [--messages 2000] [--function-ms 20] [--concurrency 16]

Starts a moto server (its own process) on a free port, creates an env's table and processor DLQ by name,
fills the DLQ, and replays it twice: first one message at a time (receive 1, invoke,
delete 1), then with replay_dead_letters (batches of 10, a bounded pool, DeleteMessageBatch).
The invoker does what the processor does, a conditional UpdateItem over HTTP, plus
--function-ms of simulated function time. Prints messages/second for both and the speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def _wait_for(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--function-ms", type=float, default=20.0, help="simulated processor duration per invoke")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    from tests.operations.conftest import aws_context
    from webhookctl.config import load_settings
    from webhookctl.names import Names
    from webhookctl.operations.dead_letter_replay import InvokeOutcome, replay_dead_letters
    
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Its own process: an in-process server would share the GIL with the replay's threads.
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the server
    _wait_for(port)
    try:
        ctx = aws_context(f"http://127.0.0.1:{port}")
        settings = load_settings("bench")
        names = Names(settings.prefix, settings.env)
        dynamodb, sqs = ctx.client("dynamodb"), ctx.client("sqs")
        dynamodb.create_table(
            TableName=names.table,
            KeySchema=[{"AttributeName": "event_key", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "event_key", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        url = sqs.create_queue(QueueName=names.processor_dlq)["QueueUrl"]
        sqs.create_queue(QueueName=names.audit_dlq)
        # The function must exist to be found by name; the invoker below stands in for running it.
        role = ctx.client("iam").create_role(RoleName="bench-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        ctx.client("lambda").create_function(
            FunctionName=names.function("processor"), Runtime="python3.11", Role=role, Handler="handler.handler", Code={"ZipFile": _zip()}
        )

        processed: list[str] = []

        def processor(function_name: str, payload: bytes) -> InvokeOutcome:
            key = json.loads(payload)["event_key"]
            time.sleep(args.function_ms / 1000)
            try:
                dynamodb.update_item(
                    TableName=names.table,
                    Key={"event_key": {"S": key}},
                    UpdateExpression="SET #s = :p",
                    ConditionExpression="#s = :r",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":p": {"S": "PROCESSED"}, ":r": {"S": "RECEIVED"}},
                )
                processed.append(key)
            except dynamodb.exceptions.ConditionalCheckFailedException:
                pass
            return InvokeOutcome(True)

        def fill(tag: str) -> None:
            for start in range(0, args.messages, 25):
                keys = [f"stripe#evt_{tag}_{i}" for i in range(start, min(start + 25, args.messages))]
                dynamodb.batch_write_item(RequestItems={names.table: [
                    {"PutRequest": {"Item": {"event_key": {"S": k}, "provider": {"S": "stripe"}, "status": {"S": "RECEIVED"}}}} for k in keys]})
                for chunk in range(0, len(keys), 10):
                    sqs.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(i), "MessageBody": json.dumps({"event_key": k, "provider": "stripe", "event_id": k.split("#")[1], "event_type": "payment_intent.succeeded"})}
                        for i, k in enumerate(keys[chunk:chunk + 10])])

        fill("base")
        started = time.monotonic()
        done = 0
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=300).get("Messages", [])
            if not messages:
                break
            outcome = processor(names.function("processor"), messages[0]["Body"].encode())
            if outcome.ok:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
                done += 1
        baseline_s = time.monotonic() - started
        assert done == args.messages, done

        fill("pool")
        before = dict(ctx.counter.by_operation)
        result = replay_dead_letters(ctx, settings, invoker=processor, concurrency=args.concurrency, rate=0)
        calls = {k: v - before.get(k, 0) for k, v in ctx.counter.by_operation.items() if v - before.get(k, 0)}
        assert result.succeeded == args.messages and result.failed == 0, result.to_json()
        again = replay_dead_letters(ctx, settings, invoker=processor, rate=0)
        assert again.candidates == 0
        assert len(processed) == len(set(processed)) == 2 * args.messages

        base_rate, pool_rate = args.messages / baseline_s, args.messages / result.seconds
        print(f"messages:            {args.messages} (simulated function time {args.function_ms:g} ms)")
        print(f"one at a time:       {baseline_s:7.2f} s  {base_rate:8.1f} msg/s")
        print(f"replay_dead_letters: {result.seconds:7.2f} s  {pool_rate:8.1f} msg/s  (concurrency {args.concurrency})")
        print(f"replay API calls:    {calls}")
        print(f"speed-up:            {pool_rate / base_rate:7.1f}x  (target >= 5x); replayed twice, processed once each")
        return 0 if pool_rate / base_rate >= 5 else 1
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
