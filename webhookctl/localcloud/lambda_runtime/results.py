"""What an invocation returns, and the errors the Invoke API maps to AWS error shapes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InvokeResult:
    status_code: int
    payload: bytes
    function_error: str | None = None
    log_result: str | None = None
    executed_version: str = "$LATEST"
    error_type: str | None = None


class LambdaApiError(Exception):
    """An error the Lambda API answers with instead of invoking."""

    status = 400
    code = "ServiceException"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ResourceNotFound(LambdaApiError):
    status = 404
    code = "ResourceNotFoundException"


class TooManyRequests(LambdaApiError):
    status = 429
    code = "TooManyRequestsException"

    def __init__(self, reason: str = "ReservedFunctionConcurrentInvocationLimitExceeded"):
        super().__init__("Rate Exceeded.")
        self.reason = reason


class InvalidParameterValue(LambdaApiError):
    status = 400
    code = "InvalidParameterValueException"
