"""Hand a stored event to the processor: an asynchronous Lambda invoke (Lambda queues and retries it)."""

from __future__ import annotations

import json
from typing import Any


class HandoffFailed(Exception):
    """Lambda did not accept the event; the stored event waits for the provider's retry."""


class LambdaHandoff:
    def __init__(self, client: Any, function_name: str) -> None:
        self.client = client
        self.function_name = function_name

    def __call__(self, message: dict[str, str]) -> None:
        try:
            response = self.client.invoke(
                FunctionName=self.function_name,
                InvocationType="Event",
                Payload=json.dumps(message).encode(),
            )
        except Exception as error:
            raise HandoffFailed(f"{type(error).__name__}: {error}") from error
        payload = response.get("Payload")
        if payload is not None:
            # Reading the (empty) body returns the keep-alive connection to the client's pool;
            # left unread, every hand-off opens and closes a new TCP connection.
            payload.read()
        if response.get("StatusCode") != 202:
            raise HandoffFailed(f"Lambda answered {response.get('StatusCode')} to an asynchronous invoke")
