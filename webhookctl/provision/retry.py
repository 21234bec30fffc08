"""Retry on propagation: a new role, grant or key takes seconds to be usable by the services that need it.

Three kinds of refusal are told apart:
- propagation: a role or grant just made is not visible yet (retried with backoff, up to about 70 s);
- key not ready: a key just created is not usable yet (AWS KMS Developer Guide, "AWS KMS eventual
  consistency": NotFoundException or InvalidStateException for a few seconds; same backoff);
- not authorized: usually the caller truly lacks the permission, so it gets one short retry only
  (a role session made seconds ago can also say so), then the missing action is named.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, TypeVar

from webhookctl.errors import WebhookctlError

T = TypeVar("T")

# Messages AWS gives while a just-created role, policy or key grant is not visible yet.
PROPAGATION_MESSAGES = (
    "cannot be assumed by lambda",
    "the provided execution role does not have permissions",
    "execution role does not have permissions to call",
    "unable to configure access to your environment variables because the kms key is invalid for creategrant",
    "an update is in progress",
    # CreateEventSourceMapping checks the role's stream permissions, which a policy put seconds ago may not grant yet.
    "cannot access stream",
    "please ensure the role can perform",
    # API Gateway UpdateAccount, while the logging role's managed policy is not visible yet.
    "the role arn does not have required permissions",
)
PROPAGATION_CODES = {
    "InvalidParameterValueException",
    "AccessDeniedException",
    "KMSAccessDeniedException",
    "ResourceConflictException",
    "BadRequestException",
}
# Codes that always mean "a resource just created is not usable yet".
NOT_READY_CODES = {"WAFUnavailableEntityException", "ContinuousBackupsUnavailableException"}
# A key just created, seen through KMS itself or through a service that encrypts with it.
KEY_NOT_READY_CODES = {"NotFoundException", "KMSInvalidStateException", "KMSNotFoundException"}
KEY_NOT_READY_MESSAGES = ("kms key does not exist or is not allowed", "kms key is not found", "key does not exist")
NOT_AUTHORIZED = "is not authorized to perform"
NOT_AUTHORIZED_RETRY_S = 2.0
# "User: arn:aws:iam::1:user/x is not authorized to perform: iam:PassRole on resource: arn:... because ..."
_MISSING_ACTION = re.compile(r"is not authorized to perform:?\s*([\w-]+:[\w*]+)(?:\s+on resource:?\s*(\S+))?", re.IGNORECASE)


class MissingPermission(WebhookctlError):
    """AWS refused a call because the caller lacks a permission; the message names the action."""

    def __init__(self, action: str, resource: str | None, error: Exception):
        self.action = action
        self.resource = resource
        self.error = error
        on = f" on {resource.rstrip('.,')}" if resource else ""
        operation = getattr(error, "operation_name", None) or "the call"
        super().__init__(
            f"AWS refused {operation}: the credentials in use lack {action}{on}",
            hint=f"allow {action} for the identity that runs webhookctl, then run the command again",
        )


def _error(exc: Exception) -> tuple[str, str]:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    return str(error.get("Code") or ""), (error.get("Message") or "").lower()


def is_not_authorized(exc: Exception) -> bool:
    code, message = _error(exc)
    return code in PROPAGATION_CODES | {"AccessDenied", "UnauthorizedOperation"} and NOT_AUTHORIZED in message


def is_propagation_error(exc: Exception) -> bool:
    """A just-created role, grant or resource that is not usable yet (not a plain "not authorized")."""
    code, message = _error(exc)
    if code in NOT_READY_CODES:
        return True
    return code in PROPAGATION_CODES and any(text in message for text in PROPAGATION_MESSAGES)


def is_key_not_ready(exc: Exception) -> bool:
    """A key just created that KMS, or a service using it, does not see yet."""
    code, message = _error(exc)
    return code in KEY_NOT_READY_CODES or any(text in message for text in KEY_NOT_READY_MESSAGES)


def retry_on_propagation(
    call: Callable[[], T],
    *,
    attempts: int = 12,
    first_delay_s: float = 1.0,
    max_delay_s: float = 8.0,
    sleep: Callable[[float], Any] = time.sleep,
    key_just_created: bool = False,
) -> T:
    """Run `call`, retrying with backoff while AWS reports a propagation delay.

    With `key_just_created`, a key that is not usable yet counts as one too (calls that use a new key).
    A "not authorized" refusal gets one short retry, then MissingPermission names the action.
    """
    delay = first_delay_s
    unauthorized_retried = False
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            if is_not_authorized(exc) and not is_propagation_error(exc):
                if unauthorized_retried or attempt == attempts:
                    named = missing_permission(exc)
                    if named is exc:
                        raise
                    raise named from exc
                unauthorized_retried = True
                sleep(min(NOT_AUTHORIZED_RETRY_S, max_delay_s))
                continue
            retryable = is_propagation_error(exc) or (key_just_created and is_key_not_ready(exc))
            if attempt == attempts or not retryable:
                raise
            sleep(delay)
            delay = min(max_delay_s, delay * 2)
    raise AssertionError("unreachable")


def missing_permission(exc: Exception) -> Exception:
    """MissingPermission naming the action from AWS's message, or the error itself when none is named."""
    original = (getattr(exc, "response", None) or {}).get("Error", {}).get("Message") or ""
    found = _MISSING_ACTION.search(original)
    if not found:
        return exc
    return MissingPermission(found.group(1), found.group(2), exc)
