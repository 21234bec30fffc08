"""boto3 clients created once per container, honouring AWS_ENDPOINT_URL (the local cloud sets it)."""

from __future__ import annotations

import os
import threading
from typing import Any

# Imported at init, when Lambda loads the module; clients are created on first use (each costs tens of ms).
import boto3
from botocore.config import Config

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    """The container's one client for `service`."""
    cached = _clients.get(service)
    if cached is not None:
        return cached
    with _lock:
        if service not in _clients:
            _clients[service] = boto3.client(
                service,
                endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
                # Two tries of at most 1 s + 3 s fit inside the functions' 10 s timeout: fail in time to answer 5xx.
                config=Config(connect_timeout=1, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"}),
            )
        return _clients[service]
