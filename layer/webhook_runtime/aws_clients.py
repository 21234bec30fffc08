"""boto3 clients created once per container.

The SDK itself honours AWS_ENDPOINT_URL and per-service ones such as AWS_ENDPOINT_URL_DYNAMODB
(the local cloud sets them; on AWS they are unset).
"""

from __future__ import annotations

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
                # Two tries of at most 1 s + 3 s fit inside the functions' 10 s timeout: fail in time to answer 5xx.
                config=Config(connect_timeout=1, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"}),
            )
        return _clients[service]
