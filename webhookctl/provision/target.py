"""The endpoint a plan runs against, and what that endpoint can and cannot report."""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from webhookctl.aws import AwsContext

# Properties that moto (5.2.5) accepts but never reports back. On such an endpoint a
# missing value is not drift: it is set on create and on every configuration update,
# and the plan says that it cannot be verified. On AWS every property is compared.
MOTO_UNREPORTED = {
    "lambda.DeadLetterConfig": "Lambda DeadLetterConfig is accepted but never reported by this endpoint; it is set on every create/update but cannot be verified",
}


@dataclass
class Target:
    """An AwsContext plus the endpoint's reporting gaps and the notes gathered while planning."""

    aws: AwsContext
    unreported: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    @property
    def region(self) -> str:
        return self.aws.region

    @property
    def account_id(self) -> str:
        return self.aws.account_id

    @property
    def partition(self) -> str:
        return self.aws.partition

    def cannot_report(self, prop: str) -> bool:
        """True (and noted once) when this endpoint cannot report `prop`."""
        if prop not in self.unreported:
            return False
        self.note(MOTO_UNREPORTED.get(prop, f"{prop} cannot be verified on this endpoint"))
        return True

    def note(self, text: str) -> None:
        with self._lock:
            if text not in self.notes:
                self.notes.append(text)


def target_for(aws: AwsContext) -> Target:
    """On AWS every property is verifiable; any other endpoint is assumed to have moto's gaps."""
    unreported = frozenset() if aws.target == "aws" else frozenset(MOTO_UNREPORTED)
    return Target(aws=aws, unreported=unreported)


def is_local_cloud(aws: AwsContext) -> bool:
    """True for the local cloud: by target, or because the endpoint answers its health probe."""
    if aws.target == "local":
        return True
    if not aws.endpoint_url:
        return False
    url = aws.endpoint_url.rstrip("/") + "/_webhookctl/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - the user's own endpoint
            return bool(json.loads(response.read() or b"{}").get("local_cloud"))
    except Exception:  # any other AWS-compatible endpoint: no probe, not the local cloud
        return False
