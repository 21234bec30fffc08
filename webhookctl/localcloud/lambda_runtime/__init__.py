"""The local cloud's Lambda runtime: runs uploaded zips in warm worker processes, plus the Lambda API moto lacks."""

from webhookctl.localcloud.lambda_runtime.runtime_config import RuntimeConfig
from webhookctl.localcloud.lambda_runtime.lambda_api_overlay import LambdaOverlay
from webhookctl.localcloud.lambda_runtime.results import (
    InvalidParameterValue,
    InvokeResult,
    LambdaApiError,
    ResourceNotFound,
    TooManyRequests,
)
from webhookctl.localcloud.lambda_runtime.runtime import LambdaRuntime

__all__ = [
    "InvalidParameterValue",
    "InvokeResult",
    "LambdaApiError",
    "LambdaOverlay",
    "LambdaRuntime",
    "ResourceNotFound",
    "RuntimeConfig",
    "TooManyRequests",
]
