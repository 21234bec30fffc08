"""The one exception type the core raises for expected failures."""

from __future__ import annotations

from webhookctl import exit_codes


class WebhookctlError(Exception):
    """An expected failure: one clear sentence, an optional hint, and an exit code."""

    def __init__(self, message: str, *, code: int = exit_codes.FAILED, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint


class UsageError(WebhookctlError):
    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message, code=exit_codes.USAGE, hint=hint)


class NotDeployedError(WebhookctlError):
    def __init__(self, env: str, *, hint: str | None = None):
        super().__init__(
            f"env '{env}' is not deployed",
            code=exit_codes.NOT_DEPLOYED,
            hint=hint or f"run: webhookctl up --env {env}",
        )
