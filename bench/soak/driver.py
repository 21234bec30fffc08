"""Post the planned sends at a fixed concurrency and record each answer.

A re-delivery waits for its original's answer before it goes out, as a provider retries only
after its first attempt ended. Plans list originals first and the pool takes sends in order,
so that wait never blocks the pool.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from bench.soak.deliveries import FreshEvent, ProviderSigner
from bench.soak.plan import FORGED, FRESH, REDELIVERY, PlannedSend
from webhookctl.operations.sample_deliveries import answer_document

HTTP_TIMEOUT_S = 60


@dataclass(frozen=True)
class SendOutcome:
    index: int
    kind: str
    provider: str
    event_key: str
    http_status: int  # 0 when no answer came (connection error, timeout)
    received: bool  # 200 {"received": true}
    duplicate: bool  # 200 {"duplicate": true}
    latency_ms: float
    detail: str = ""  # the start of an unexpected answer, or the error

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "provider": self.provider,
            "event_key": self.event_key,
            "http_status": self.http_status,
            "received": self.received,
            "duplicate": self.duplicate,
            "latency_ms": round(self.latency_ms, 1),
            "detail": self.detail,
        }


class SoakSender:
    def __init__(self, url_for: Callable[[str], str], signers: dict[str, ProviderSigner], concurrency: int):
        self.url_for = url_for
        self.signers = signers
        self.concurrency = concurrency
        self._originals: dict[int, FreshEvent] = {}
        self._answered: dict[int, threading.Event] = {}

    def send_all(self, plan: list[PlannedSend], on_outcome: Callable[[SendOutcome], None] = lambda outcome: None) -> list[SendOutcome]:
        import urllib3

        self._answered = {send.index: threading.Event() for send in plan if send.kind == FRESH}
        pool = urllib3.PoolManager(maxsize=self.concurrency, retries=False, timeout=HTTP_TIMEOUT_S)
        outcomes: list[SendOutcome] = []
        try:
            with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="soak") as executor:
                for outcome in executor.map(lambda send: self._send(pool, send), plan):
                    outcomes.append(outcome)
                    on_outcome(outcome)
        finally:
            pool.clear()
        return outcomes

    def _send(self, pool: Any, send: PlannedSend) -> SendOutcome:
        signer = self.signers[send.provider]
        try:
            if send.kind == FRESH:
                event = signer.fresh()
                self._originals[send.index] = event
                delivery = event.delivery
            elif send.kind == REDELIVERY:
                self._answered[send.original].wait()
                delivery = signer.redelivery(self._originals[send.original])
            elif send.kind == FORGED:
                delivery = signer.forged(send.forgery or "")
            else:
                raise ValueError(f"unknown send kind {send.kind!r}")
            return self._post(pool, send, delivery.event_key, delivery.body, delivery.headers)
        finally:
            if send.kind == FRESH:
                self._answered[send.index].set()

    def _post(self, pool: Any, send: PlannedSend, event_key: str, body: bytes, headers: dict[str, str]) -> SendOutcome:
        started = time.perf_counter()
        try:
            response = pool.request("POST", self.url_for(send.provider), body=body, headers=headers)
            status, data = response.status, response.data
        except Exception as exc:  # noqa: BLE001 - no answer is an outcome to count, not a crash
            status, data = 0, f"{type(exc).__name__}: {exc}".encode()
        latency_ms = (time.perf_counter() - started) * 1000
        document = answer_document(data) if status == 200 else {}
        received, duplicate = document.get("received") is True, document.get("duplicate") is True
        answered_key = document.get("event_key")
        detail = ""
        if status != 200 or not (received or duplicate):
            detail = data[:200].decode("utf-8", "replace")
        elif answered_key != event_key:
            detail = f"answered for {answered_key!r}"
        return SendOutcome(send.index, send.kind, send.provider, event_key, status, received, duplicate, latency_ms, detail)
