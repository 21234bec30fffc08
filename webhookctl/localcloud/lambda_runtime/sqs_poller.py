"""SQS → function delivery for one event source mapping: receive, invoke, delete only what succeeded."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from webhookctl.localcloud.lambda_runtime.functions import load_function
from webhookctl.localcloud.lambda_runtime.results import ResourceNotFound, TooManyRequests


class SqsPoller:
    def __init__(self, runtime: Any, account: str, region: str, mapping: Any):
        self.runtime = runtime
        self.account = account
        self.region = region
        self.mapping = mapping
        self.queue_name = mapping.event_source_arn.split(":")[5]
        self.stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lambda-sqs-{mapping.uuid[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        interval = self.runtime.config.poll_interval_s
        while not self.stopped.is_set():
            try:
                delivered = self._poll_once()
            except Exception:  # a deleted queue or a moto hiccup must not end the mapping
                delivered = False
            if not delivered:
                self.stopped.wait(interval)

    def _backend(self) -> Any:
        from webhookctl.localcloud.moto_bridge.backends import get_backend

        return get_backend("sqs")[self.account][self.region]

    def _poll_once(self) -> bool:
        if not self.mapping.enabled:
            return False
        backend = self._backend()
        queue = backend.get_queue(self.queue_name)
        batch_size = int(self.mapping.batch_size or 10)
        visibility = int(queue.visibility_timeout)
        messages = backend.receive_message(self.queue_name, min(batch_size, 10), 0, visibility)
        if not messages:
            return False
        window = float(self.mapping.max_batch_window or 0)
        deadline = time.monotonic() + window
        while len(messages) < batch_size:
            more = backend.receive_message(self.queue_name, min(batch_size - len(messages), 10), 0, visibility)
            if more:
                messages += more
                continue
            if time.monotonic() >= deadline:
                break
            self.stopped.wait(self.runtime.config.poll_interval_s)
        self._deliver(backend, queue, messages)
        return True

    def _deliver(self, backend: Any, queue: Any, messages: list[Any]) -> None:
        records = [self._record(queue, message) for message in messages]
        try:
            spec = load_function(self.account, self.region, self.mapping.function_arn)
            execution = self.runtime.execute(spec, json.dumps({"Records": records}).encode())
        except (TooManyRequests, ResourceNotFound):
            for message in messages:  # throttled: hand the messages straight back
                backend.change_message_visibility(self.queue_name, message.receipt_handle, 0)
            return
        if execution.function_error is not None:
            return  # they reappear after the visibility timeout, and count towards maxReceiveCount
        failed = self._failed_ids(execution.payload, records)
        if failed is None:
            return
        for message in messages:
            if message.id not in failed:
                backend.delete_message(self.queue_name, message.receipt_handle)

    def _failed_ids(self, payload: bytes, records: list[dict]) -> set[str] | None:
        """Message ids to keep; None when the whole batch counts as failed."""
        if "ReportBatchItemFailures" not in (self.mapping.function_response_types or []):
            return set()
        try:
            response = json.loads(payload) if payload else None
        except ValueError:
            return set()
        if not isinstance(response, dict) or not response.get("batchItemFailures"):
            return set()
        ids = {record["messageId"] for record in records}
        failures = response["batchItemFailures"]
        if not isinstance(failures, list):
            return None
        failed = set()
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not identifier or identifier not in ids:
                return None
            failed.add(identifier)
        return failed

    def _record(self, queue: Any, message: Any) -> dict:
        """A message in the shape Lambda puts into an SQS event."""
        attributes = {
            "ApproximateReceiveCount": str(message.approximate_receive_count),
            "SentTimestamp": str(message.sent_timestamp),
            "SenderId": message.sender_id,
            "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
        }
        if message.group_id:
            attributes["MessageGroupId"] = message.group_id
        if message.deduplication_id:
            attributes["MessageDeduplicationId"] = message.deduplication_id
        if message.sequence_number:
            attributes["SequenceNumber"] = message.sequence_number
        return {
            "messageId": message.id,
            "receiptHandle": message.receipt_handle,
            "body": message.body,
            "attributes": attributes,
            "messageAttributes": {
                name: {_lower_first(key): value for key, value in attribute.items()}
                for name, attribute in (message.message_attributes or {}).items()
            },
            "md5OfBody": message.body_md5,
            "eventSource": "aws:sqs",
            "eventSourceARN": queue.queue_arn,
            "awsRegion": self.region,
        }


def _lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]
