"""DynamoDB stream → function delivery for one event source mapping, reading moto's shard without consuming it.

The shard is read through `runtime.stream_shards`: moto in this process, or the table process.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from typing import Any

from webhookctl.localcloud.lambda_runtime.destinations import DestinationError, as_json, send_to_target
from webhookctl.localcloud.lambda_runtime.functions import load_function
from webhookctl.localcloud.lambda_runtime.results import ResourceNotFound, TooManyRequests


class StreamPoller:
    """Delivers a shard's records in order, each batch until it succeeds or is given up on."""

    def __init__(self, runtime: Any, account: str, region: str, mapping: Any):
        self.runtime = runtime
        self.account = account
        self.region = region
        self.mapping = mapping  # moto's EventSourceMapping, read live so updates apply
        self.stopped = threading.Event()
        self._cursor = 0
        self._token: str | None = None  # the shard being read; a new one restarts at the starting position
        self._shard_id = ""
        self._thread = threading.Thread(target=self._run, name=f"lambda-ddb-stream-{mapping.uuid[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()

    # -- polling ----------------------------------------------------------------------------

    def _run(self) -> None:
        idle_s = self.runtime.config.stream_idle_recheck_s
        while not self.stopped.is_set():
            try:
                if not self._poll_once():
                    self.stopped.wait(idle_s)  # disabled, or no such stream (yet)
            except Exception:  # a vanished table or a moto hiccup must not end the mapping
                self.stopped.wait(idle_s)

    def _poll_once(self) -> bool:
        """One read (which waits for records itself) and its delivery; False when there is nothing to read from."""
        if not self.mapping.enabled:
            return False
        config = self.runtime.config
        arn = self.mapping.event_source_arn
        window = float(self.mapping.max_batch_window or 0) or config.stream_batch_window_s
        info, stored = self.runtime.stream_shards.read(
            self.account, self.region, arn, self._token, self._cursor, int(self.mapping.batch_size or 100),
            wait_s=config.stream_idle_recheck_s, window_s=window)
        if info is None:
            return False
        if info.token != self._token:  # a new shard (the table was created or re-created): start at the starting position
            self._token, self._shard_id = info.token, info.shard_id
            saved = self.runtime.durability.stream_position(self.mapping.uuid)
            # After a restart, go on where delivery stopped rather than at the starting position.
            self._cursor = min(saved[1], info.length) if saved and saved[0] == info.token else self._starting_index(info)
            return True
        if stored and not self.stopped.is_set():
            self._deliver([self._record(item) for item in stored])
            self._cursor += len(stored)
            self.runtime.durability.stream_moved(self.mapping.uuid, self._token, self._cursor)
        return True

    def _starting_index(self, info: Any) -> int:
        position = self.mapping.starting_position or "TRIM_HORIZON"
        if position == "LATEST":
            return info.length
        if position == "AT_TIMESTAMP" and self.mapping.starting_position_timestamp:
            since = float(self.mapping.starting_position_timestamp)
            return self.runtime.stream_shards.index_at(self.account, self.region, self.mapping.event_source_arn, info.token, since)
        return 0

    def _record(self, stored: dict) -> dict:
        """A stream record in the shape Lambda puts into the event."""
        dynamodb = dict(stored["dynamodb"])
        dynamodb["ApproximateCreationDateTime"] = int(dynamodb["ApproximateCreationDateTime"])  # epoch seconds, as shards give it
        return {
            "eventID": stored["eventID"],
            "eventName": stored["eventName"],
            "eventVersion": stored["eventVersion"],
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": dynamodb,
            "eventSourceARN": self.mapping.event_source_arn,
        }

    # -- delivery ---------------------------------------------------------------------------

    def _deliver(self, records: list[dict]) -> None:
        """Invoke until the batch succeeds, bisecting and checkpointing as configured."""
        records = self._drop_expired(records)
        retries = 0
        invoke_count = 0
        while records and not self.stopped.is_set():
            while not self.mapping.enabled and not self.stopped.is_set():
                self.stopped.wait(self.runtime.config.poll_interval_s)
            try:
                spec = load_function(self.account, self.region, self.mapping.function_arn)
                execution = self.runtime.execute(spec, json.dumps({"Records": records}).encode())
            except (TooManyRequests, ResourceNotFound):
                self.stopped.wait(self.runtime.config.stream_retry_delay_s)
                continue
            invoke_count += 1
            if execution.function_error is None:
                failed_at = self._first_failure(execution.payload, records)
                if failed_at is None:
                    return
                if failed_at > 0:
                    records = records[failed_at:]  # checkpoint: the records before it succeeded
            elif self.mapping.bisect_on_error and len(records) > 1:
                half = len(records) // 2
                self._deliver(records[:half])
                self._deliver(records[half:])
                return
            retries += 1
            max_retries = self.mapping.max_retry_attempts
            if max_retries is not None and max_retries != -1 and retries > int(max_retries):
                self._on_failure(records, "RetryAttemptsExhausted", invoke_count, execution)
                return
            self.stopped.wait(self.runtime.config.stream_retry_delay_s)
            records = self._drop_expired(records)

    def _first_failure(self, payload: bytes, records: list[dict]) -> int | None:
        """Index of the lowest failed record under ReportBatchItemFailures; 0 means the whole batch."""
        if "ReportBatchItemFailures" not in (self.mapping.function_response_types or []):
            return None
        try:
            response = json.loads(payload) if payload else None
        except ValueError:
            return None
        if not isinstance(response, dict) or not response.get("batchItemFailures"):
            return None
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
        failures = response["batchItemFailures"]
        if not isinstance(failures, list):
            return 0
        indexes = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not identifier or identifier not in sequence_numbers:
                return 0  # an unusable identifier fails the whole batch, as on AWS
            indexes.append(sequence_numbers.index(identifier))
        return min(indexes)

    def _drop_expired(self, records: list[dict]) -> list[dict]:
        max_age = self.mapping.max_record_age
        if max_age is None or int(max_age) == -1:
            return records
        now = time.time()
        expired = [r for r in records if now - r["dynamodb"]["ApproximateCreationDateTime"] > int(max_age)]
        if expired:
            self._on_failure(expired, "RecordAgeExceeded", 0, None)
            return [r for r in records if r not in expired]
        return records

    def _on_failure(self, records: list[dict], condition: str, invoke_count: int, execution: Any) -> None:
        destination = ((self.mapping.destination_config or {}).get("OnFailure") or {}).get("Destination")
        if not destination:
            return
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if execution is not None and execution.function_error:
            response_context["functionError"] = execution.function_error
        message = {
            "requestContext": {
                "requestId": execution.request_id if execution is not None else "",
                "functionArn": self.mapping.function_arn,
                "condition": condition,
                "approximateInvokeCount": invoke_count,
            },
            "responseContext": response_context,
            "version": "1.0",
            "timestamp": _iso(time.time(), millis=True),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(records[0]["dynamodb"]["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _iso(records[-1]["dynamodb"]["ApproximateCreationDateTime"]),
                "batchSize": len(records),
                "streamArn": self.mapping.event_source_arn,
            },
        }
        try:
            send_to_target(destination, as_json(message))
        except DestinationError:
            pass


def _iso(epoch: float, millis: bool = False) -> str:
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
