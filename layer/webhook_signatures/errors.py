"""Why a delivery was refused; the receiver maps each kind to one HTTP status."""

from __future__ import annotations


class WebhookError(Exception):
    """Base of every refusal raised by webhook_signatures."""


class UnknownProvider(WebhookError):
    def __init__(self, provider: str):
        super().__init__(f"unknown provider {provider!r}")
        self.provider = provider


class BodyTooLarge(WebhookError):
    def __init__(self, size: int, limit: int):
        super().__init__(f"body is {size} bytes, above the {limit}-byte limit")
        self.size = size
        self.limit = limit


class SignatureInvalid(WebhookError):
    """The delivery is not authentic; `reason` is for operators, never for the sender."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MalformedBody(WebhookError):
    """Validly signed, but the event id must come from a body that is not JSON."""

    def __init__(self, reason: str = "body is not JSON"):
        super().__init__(reason)
        self.reason = reason
