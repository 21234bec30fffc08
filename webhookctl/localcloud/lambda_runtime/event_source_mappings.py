"""Event source mappings: moto stores them, the runtime delivers.

moto hands records to its own (Docker) Lambda and then deletes the SQS messages or empties the
stream shard, so every mapping is detached from the table or queue and given its own poller.
"""

from __future__ import annotations

import threading
from typing import Any

from webhookctl.localcloud.lambda_runtime.sqs_poller import SqsPoller
from webhookctl.localcloud.lambda_runtime.stream_poller import StreamPoller


class EventSourceMappings:
    def __init__(self, runtime: Any):
        self.runtime = runtime
        self._lock = threading.Lock()
        self._pollers: dict[str, StreamPoller | SqsPoller] = {}

    def sync(self) -> None:
        """Detach moto's delivery everywhere; start pollers for new mappings, stop those of deleted ones."""
        from webhookctl.localcloud.moto_bridge.backends import get_backend

        seen: set[str] = set()
        for account, regions in list(get_backend("lambda").items()):
            for region, backend in list(regions.items()):
                mappings = list(backend._event_source_mappings.values())
                if mappings:
                    _detach_moto_delivery(account, region)
                for mapping in mappings:
                    seen.add(mapping.uuid)
                    self._ensure_poller(account, region, mapping)
        with self._lock:
            gone = [uuid for uuid in self._pollers if uuid not in seen]
            stopped = [self._pollers.pop(uuid) for uuid in gone]
        for poller in stopped:
            poller.stop()

    def _ensure_poller(self, account: str, region: str, mapping: Any) -> None:
        with self._lock:
            if mapping.uuid in self._pollers:
                return
            service = mapping.event_source_arn.split(":")[2]
            if service == "dynamodb":
                poller: StreamPoller | SqsPoller = StreamPoller(self.runtime, account, region, mapping)
            elif service == "sqs":
                poller = SqsPoller(self.runtime, account, region, mapping)
            else:
                return  # Kinesis and others are not delivered locally
            self._pollers[mapping.uuid] = poller
        poller.start()

    def stop_all(self) -> None:
        with self._lock:
            pollers = list(self._pollers.values())
            self._pollers.clear()
        for poller in pollers:
            poller.stop()

    def running(self) -> list[str]:
        with self._lock:
            return list(self._pollers)


def _detach_moto_delivery(account: str, region: str) -> None:
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    for table in list(get_backend("dynamodb")[account][region].tables.values()):
        if table.lambda_event_source_mappings:
            table.lambda_event_source_mappings.clear()
    for queue in list(get_backend("sqs")[account][region].queues.values()):
        if queue.lambda_event_source_mappings:
            queue.lambda_event_source_mappings.clear()
