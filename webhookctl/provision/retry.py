"""Retry on IAM propagation: a new role or grant takes seconds to be usable by Lambda."""

from __future__ import annotations

import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")

# Messages AWS gives while a just-created role, policy or key grant is not visible yet.
PROPAGATION_MESSAGES = (
    "cannot be assumed by lambda",
    "the provided execution role does not have permissions",
    "execution role does not have permissions to call",
    "unable to configure access to your environment variables because the kms key is invalid for creategrant",
    "is not authorized to perform",
    "an update is in progress",
)
PROPAGATION_CODES = {"InvalidParameterValueException", "AccessDeniedException", "KMSAccessDeniedException", "ResourceConflictException"}
# Codes that always mean "a resource just created is not usable yet".
NOT_READY_CODES = {"WAFUnavailableEntityException", "ContinuousBackupsUnavailableException"}


def is_propagation_error(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    message = (error.get("Message") or "").lower()
    if error.get("Code") in NOT_READY_CODES:
        return True
    return error.get("Code") in PROPAGATION_CODES and any(text in message for text in PROPAGATION_MESSAGES)


def retry_on_propagation(
    call: Callable[[], T],
    *,
    attempts: int = 12,
    first_delay_s: float = 1.0,
    max_delay_s: float = 8.0,
    sleep: Callable[[float], Any] = time.sleep,
) -> T:
    """Run `call`, retrying with backoff while AWS reports an IAM/KMS propagation delay."""
    delay = first_delay_s
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == attempts or not is_propagation_error(exc):
                raise
            sleep(delay)
            delay = min(max_delay_s, delay * 2)
    raise AssertionError("unreachable")
